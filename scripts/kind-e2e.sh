#!/usr/bin/env bash
# Kinema end to end on kind, for machines with Docker:
#   1. builds the image with scripts/build-image.sh (the build the real node's test,
#      tests/integration/node, also runs, and its smoke test: UID 10001, a transcode in
#      the image) and a kind cluster, loads the image;
#   2. runs PostgreSQL and an S3 server (MinIO) in namespace kinema-deps, or uses the S3
#      server you name (KINEMA_E2E_S3_ENDPOINT + _ACCESS_KEY + _SECRET_KEY + _BUCKET);
#   3. creates the bucket and a 20-second test clip at the movie example's source;
#   4. installs charts/kinema, applies examples/ (the movie, the GPU ladder, the plans) with
#      a plain-HTTP Distribution standing in for CloudFront;
#   5. waits for the Video to be Ready and fetches its HLS master playlist.
#
# Usage: scripts/kind-e2e.sh [--keep]     (--keep: leave the cluster up afterwards)
# Needs docker, kind, helm and kubectl on PATH. Transcodes run on CPU: kind nodes have
# no GPU unless you configure the NVIDIA container toolkit for kind yourself.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

CLUSTER=${KINEMA_E2E_CLUSTER:-kinema-e2e}
IMAGE=${KINEMA_E2E_IMAGE:-kinema:e2e}
NS=${KINEMA_E2E_NAMESPACE:-kinema}
DEPS_NS=kinema-deps
POSTGRES_IMAGE=${KINEMA_E2E_POSTGRES_IMAGE:-postgres:16-bookworm}
MINIO_IMAGE=${KINEMA_E2E_MINIO_IMAGE:-minio/minio:RELEASE.2025-04-22T22-12-26Z}
BUCKET=${KINEMA_E2E_S3_BUCKET:-kinema-media}
TIMEOUT=${KINEMA_E2E_TIMEOUT:-20m}
keep=0

for arg in "$@"; do
  case $arg in
    --keep) keep=1 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "kind-e2e: unknown argument $arg (known: --keep)" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[kind-e2e]\033[0m %s\n' "$*" >&2; }

missing=()
for tool in docker kind helm kubectl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "kind-e2e: missing: ${missing[*]} (this script drives a local kind cluster)" >&2
  exit 2
fi

KUBECTL=(kubectl --context "kind-$CLUSTER")

on_exit() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    log "failed (exit $status); what the cluster shows:"
    "${KUBECTL[@]}" get videos,renditions,jobs,pods -A 2>&1 | tail -40 >&2 || true
    "${KUBECTL[@]}" -n "$NS" logs deploy/kinema-operator --tail=60 >&2 || true
    log "the cluster is left up for inspection: kind delete cluster --name $CLUSTER"
  elif [ "$keep" = 0 ]; then
    kind delete cluster --name "$CLUSTER" >/dev/null
  fi
}
trap on_exit EXIT

# 1. Image and cluster --------------------------------------------------------------------
bash "$ROOT/scripts/build-image.sh" --tag "$IMAGE"
if ! kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  log "creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --wait 180s
fi
kind load docker-image "$IMAGE" --name "$CLUSTER"

# 2. PostgreSQL and S3 ----------------------------------------------------------------------
"${KUBECTL[@]}" create namespace "$DEPS_NS" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
PG_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
log "starting PostgreSQL ($POSTGRES_IMAGE)"
"${KUBECTL[@]}" -n "$DEPS_NS" apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres}
spec:
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers:
        - name: postgres
          image: $POSTGRES_IMAGE
          env:
            - {name: POSTGRES_USER, value: kinema}
            - {name: POSTGRES_PASSWORD, value: "$PG_PASSWORD"}
            - {name: POSTGRES_DB, value: kinema}
          ports: [{containerPort: 5432}]
          readinessProbe: {exec: {command: [pg_isready, -U, kinema]}, periodSeconds: 3}
---
apiVersion: v1
kind: Service
metadata: {name: postgres}
spec: {selector: {app: postgres}, ports: [{port: 5432}]}
EOF

if [ -n "${KINEMA_E2E_S3_ENDPOINT:-}" ]; then
  S3_ENDPOINT=$KINEMA_E2E_S3_ENDPOINT
  S3_ACCESS_KEY=${KINEMA_E2E_S3_ACCESS_KEY:?set KINEMA_E2E_S3_ACCESS_KEY with KINEMA_E2E_S3_ENDPOINT}
  S3_SECRET_KEY=${KINEMA_E2E_S3_SECRET_KEY:?set KINEMA_E2E_S3_SECRET_KEY with KINEMA_E2E_S3_ENDPOINT}
  log "using S3 at $S3_ENDPOINT"
else
  S3_ENDPOINT=http://minio.$DEPS_NS.svc.cluster.local:9000
  S3_ACCESS_KEY=kinema
  S3_SECRET_KEY=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  log "starting MinIO ($MINIO_IMAGE)"
  "${KUBECTL[@]}" -n "$DEPS_NS" apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: minio}
spec:
  selector: {matchLabels: {app: minio}}
  template:
    metadata: {labels: {app: minio}}
    spec:
      containers:
        - name: minio
          image: $MINIO_IMAGE
          args: [server, /data]
          env:
            - {name: MINIO_ROOT_USER, value: $S3_ACCESS_KEY}
            - {name: MINIO_ROOT_PASSWORD, value: "$S3_SECRET_KEY"}
          ports: [{containerPort: 9000}]
          readinessProbe: {httpGet: {path: /minio/health/ready, port: 9000}, periodSeconds: 3}
          volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: minio}
spec: {selector: {app: minio}, ports: [{port: 9000}]}
EOF
  "${KUBECTL[@]}" -n "$DEPS_NS" rollout status deploy/minio --timeout=300s
fi
"${KUBECTL[@]}" -n "$DEPS_NS" rollout status deploy/postgres --timeout=300s

# Runs Python in the Kinema image inside the cluster, with the S3 settings.
in_cluster_python() {
  local name=$1
  shift
  "${KUBECTL[@]}" -n "$DEPS_NS" delete pod "$name" --ignore-not-found >/dev/null
  "${KUBECTL[@]}" -n "$DEPS_NS" run "$name" --image="$IMAGE" --image-pull-policy=Never \
    --restart=Never --rm -i --quiet \
    --env="AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY" --env="AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY" \
    --env="AWS_DEFAULT_REGION=us-east-1" --env="S3_ENDPOINT=$S3_ENDPOINT" \
    --env="BUCKET=$BUCKET" --env="HOME=/tmp" "$@" \
    --command -- python -
}

# 3. Bucket and source clip -----------------------------------------------------------------
log "creating bucket $BUCKET and the test clip"
in_cluster_python e2e-seed <<'EOF'
import os, subprocess, tempfile
import boto3, imageio_ffmpeg
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
bucket = os.environ["BUCKET"]
try:
    s3.create_bucket(Bucket=bucket)
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
clip = os.path.join(tempfile.mkdtemp(), "master.mov")
subprocess.run([
    imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
    "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24:duration=20",
    "-f", "lavfi", "-i", "sine=frequency=440:duration=20",
    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip,
], check=True)
s3.upload_file(clip, bucket, "raw/big-buck-bunny/master.mov")
print("uploaded", os.path.getsize(clip), "bytes")
EOF

# 4. Kinema ------------------------------------------------------------------------------------
log "installing charts/kinema into $NS"
helm --kube-context "kind-$CLUSTER" upgrade --install kinema "$ROOT/charts/kinema" \
  --namespace "$NS" --create-namespace \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" \
  --set image.pullPolicy=Never \
  --set postgres.url="postgresql+psycopg://kinema:$PG_PASSWORD@postgres.$DEPS_NS.svc.cluster.local:5432/kinema" \
  --set s3.storageUrl="s3://$BUCKET" \
  --set s3.endpointUrl="$S3_ENDPOINT" \
  --set s3.accessKeyId="$S3_ACCESS_KEY" \
  --set s3.secretAccessKey="$S3_SECRET_KEY" \
  --wait --timeout 10m

log "applying examples/ (CloudFront stood in for by a plain-HTTP Distribution)"
"${KUBECTL[@]}" -n "$NS" apply -f "$ROOT/examples/plans.yaml" -f "$ROOT/examples/ladder-gpu.yaml"
"${KUBECTL[@]}" -n "$NS" apply -f - <<EOF
apiVersion: kinema.dev/v1alpha1
kind: Distribution
metadata: {name: cdn}
spec:
  provider: none
  baseUrl: $S3_ENDPOINT/$BUCKET
EOF
"${KUBECTL[@]}" -n "$NS" apply -f "$ROOT/examples/movie.yaml"

# 5. Ready, and a playlist that plays ----------------------------------------------------------
log "waiting up to $TIMEOUT for video/big-buck-bunny to be Ready"
start=$(date +%s)
"${KUBECTL[@]}" -n "$NS" wait video/big-buck-bunny --for=condition=Ready --timeout="$TIMEOUT"
log "Ready after $(($(date +%s) - start)) s"
"${KUBECTL[@]}" -n "$NS" get videos,renditions

HLS=$("${KUBECTL[@]}" -n "$NS" get video/big-buck-bunny -o jsonpath='{.status.manifests.hls}')
[ -n "$HLS" ] || { echo "kind-e2e: the Ready Video has no status.manifests.hls" >&2; exit 1; }
log "fetching $HLS"
in_cluster_python e2e-fetch --env="HLS=$HLS" <<'EOF'
import os, sys, urllib.request
import boto3
url, bucket, endpoint = os.environ["HLS"], os.environ["BUCKET"], os.environ["S3_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint)
if url.startswith("s3://"):
    bucket, _, key = url[len("s3://"):].partition("/")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
elif url.startswith(f"{endpoint}/{bucket}/"):
    # The bucket is private: read through the S3 API rather than anonymously.
    body = s3.get_object(Bucket=bucket, Key=url[len(f"{endpoint}/{bucket}/"):])["Body"].read()
else:
    body = urllib.request.urlopen(url, timeout=30).read()  # noqa: S310
text = body.decode()
print(text)
sys.exit(0 if text.startswith("#EXTM3U") and "#EXT-X-STREAM-INF" in text else 1)
EOF
log "master.m3u8 is a playable HLS master playlist: end to end passed"
