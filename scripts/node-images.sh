#!/usr/bin/env bash
# The Kinema image as an OCI archive for a real node's containerd, built once per input:
#   ${KINEMA_CACHE:-~/.cache/kinema}/images/kinema-base-<key>.tar
# where <key> hashes what decides its operating system and Python dependencies
# (transcoder_image/Dockerfile, pyproject.toml, scripts/build-image.sh). It is built by
# scripts/build-image.sh with Debian bases (buildah + debootstrap: no registry needed),
# pushed to the archive, and removed from buildah's storage again.
#
# Kinema's own code changes with every commit, so it is not part of the key: the real
# node's test (tests/integration/node) lays this checkout's packages over the cached
# image as one more layer (tests/utils/oci_image.py), which is what a rebuild would put
# there. An archive of an older key is deleted.
#
# Usage: scripts/node-images.sh [--print-path]   (--print-path: the archive's path only)
# Needs root, buildah and debootstrap (scripts/bootstrap installs them as root).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KINEMA_CACHE:-$HOME/.cache/kinema}
IMAGES=$CACHE/images

key=$(cat "$ROOT/transcoder_image/Dockerfile" "$ROOT/pyproject.toml" "$ROOT/scripts/build-image.sh" \
  | sha256sum | cut -c1-16)
archive=$IMAGES/kinema-base-$key.tar
if [[ ${1:-} == --print-path ]]; then
  echo "$archive"
  exit 0
fi

log() { printf '\033[1m[node-images]\033[0m %s\n' "$*" >&2; }
if [[ -s $archive ]]; then
  log "cached: $archive"
  exit 0
fi
mkdir -p "$IMAGES"
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
tag=localhost/kinema:node-base-$key
log "building the Kinema image ($tag; a few minutes, once per key)"
bash "$ROOT/scripts/build-image.sh" --debian-bases --no-smoke --tag "$tag"
partial=$archive.partial
rm -f "$partial"
buildah push -q "$tag" "oci-archive:$partial:node-base-$key" >/dev/null
mv "$partial" "$archive"
# buildah's vfs storage holds every layer uncompressed: give the space back.
buildah rmi "$tag" localhost/kinema-base-py:bookworm localhost/kinema-base-node:bookworm \
  >/dev/null 2>&1 || true
buildah rmi --prune >/dev/null 2>&1 || true
find "$IMAGES" -maxdepth 1 -name 'kinema-base-*.tar' ! -name "kinema-base-$key.tar" -delete
log "ready: $archive ($(du -h "$archive" | cut -f1))"
