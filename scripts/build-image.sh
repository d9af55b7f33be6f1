#!/usr/bin/env bash
# Build the Kinema image (transcoder_image/Dockerfile) and prove it works:
#   - with Docker when an engine answers, else with buildah (daemonless; as root or rootless);
#   - --debian-bases: make the two base images (Python 3.11 and Node 20+ on Debian bookworm)
#     locally with debootstrap instead of pulling python:3.11-slim-bookworm and
#     node:22-bookworm-slim, for sites that reach Debian's mirror but not Docker Hub
#     (buildah only; needs root, debootstrap, and a Node.js >= 20.19 on this machine);
#   - then, unless --no-smoke: the image runs as UID 10001, `kinema doctor` lists the
#     encoders, and a 4-second generated clip transcodes to HLS + DASH inside it.
#
# Usage: scripts/build-image.sh [--tag NAME] [--debian-bases] [--no-smoke]
# The host's CA bundle goes into --debian-bases images, so a TLS-intercepting proxy that
# this machine trusts works inside the build too.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

tag=kinema:dev
debian_bases=0
smoke=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    --debian-bases) debian_bases=1; shift ;;
    --no-smoke) smoke=0; shift ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-image: unknown argument $1 (known: --tag, --debian-bases, --no-smoke)" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[build-image]\033[0m %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

if [[ $debian_bases == 0 ]] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=docker
elif command -v buildah >/dev/null 2>&1; then
  engine=buildah
  # vfs needs no kernel overlay support; fine for a one-off build.
  export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
else
  die "needs a Docker engine or buildah (apt-get install buildah)"
fi
log "building $tag with $engine"

build_args=()
if [[ $debian_bases == 1 ]]; then
  [[ $engine == buildah ]] || die "--debian-bases needs buildah"
  [[ $(id -u) == 0 ]] || die "--debian-bases needs root (debootstrap)"
  command -v debootstrap >/dev/null 2>&1 || die "--debian-bases needs debootstrap"
  node_bin=$(command -v node) || die "--debian-bases needs Node.js >= 20.19 on this machine"
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  work=$(mktemp -d "${TMPDIR:-/var/tmp}/kinema-bases.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  log "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$work/py" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $work/debootstrap.log"
  cp /etc/resolv.conf "$work/py/etc/resolv.conf"
  chroot "$work/py" /bin/sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends python3 python3-venv python-is-python3 ca-certificates >/dev/null \
    && rm -rf /var/lib/apt/lists/*'
  cp /etc/ssl/certs/ca-certificates.crt "$work/py/etc/ssl/certs/ca-certificates.crt"
  cp -a "$work/py" "$work/node"
  cp "$node_bin" "$work/node/usr/bin/node"
  mkdir -p "$work/node/usr/lib/node_modules"
  cp -a "$npm_dir" "$work/node/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/bin/npm"
  for base in py node; do
    ctr=$(buildah from scratch)
    mnt=$(buildah mount "$ctr")
    cp -a "$work/$base/." "$mnt/"
    buildah umount "$ctr" >/dev/null
    buildah config \
      --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
      --env PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
      --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
      --cmd /bin/bash "$ctr"
    buildah commit -q --rm "$ctr" "localhost/kinema-base-$base:bookworm" >/dev/null
  done
  build_args=(--build-arg PYTHON_IMAGE=localhost/kinema-base-py:bookworm
    --build-arg NODE_IMAGE=localhost/kinema-base-node:bookworm)
fi

if [[ $engine == docker ]]; then
  docker build -f "$ROOT/transcoder_image/Dockerfile" -t "$tag" "$ROOT"
else
  buildah bud --isolation chroot --layers=false "${build_args[@]}" \
    -f "$ROOT/transcoder_image/Dockerfile" -t "$tag" "$ROOT"
fi
[[ $smoke == 1 ]] || exit 0

io=$(mktemp -d "${TMPDIR:-/var/tmp}/kinema-smoke.XXXXXX")
chmod 0777 "$io"
ffmpeg_bin=$("$ROOT/.venv/bin/python" -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())' 2>/dev/null || command -v ffmpeg) \
  || die "the smoke test needs an ffmpeg here to make its clip (scripts/bootstrap installs one)"
"$ffmpeg_bin" -v error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=4 \
  -f lavfi -i sine=frequency=440:duration=4 -c:v libx264 -c:a aac -shortest "$io/src.mp4"
in_image() {
  if [[ $engine == docker ]]; then
    docker run --rm -v "$io:/io" --entrypoint "$1" "$tag" "${@:2}"
  else
    local ctr
    ctr=$(buildah from -q "$tag")
    buildah run --isolation chroot -v "$io:/io" "$ctr" -- "$@"
    buildah rm "$ctr" >/dev/null
  fi
}
uid=$(in_image id -u)
[[ $uid == 10001 ]] || die "the image runs as UID $uid, not 10001"
in_image kinema doctor | grep -E 'encoder|ffmpeg' >&2 || true
in_image kinema transcode /io/src.mp4 /io/out --json-progress --no-quality >/dev/null
for file in master.m3u8 manifest.mpd kinema.json; do
  [[ -s $io/out/$file ]] || die "the transcode in the image wrote no $file"
done
log "ok: $tag runs as UID 10001 and transcodes (HLS + DASH in $io/out)"
