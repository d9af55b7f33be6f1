#!/usr/bin/env bash
# Build the Go-based services the test harness runs, once per version, into
# ${KINEMA_CACHE:-~/.cache/kinema}/bin. Everything comes from the Go module proxy:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet  (k8s.io/kubernetes)
#   etcd                      (go.etcd.io/etcd/server/v3, the version Kubernetes pins)
#   versitygw                 (S3-compatible server; MinIO's server is AGPL and unversioned on the proxy)
#   helm, stripe-mock, kwok
#   kinema-pause              (a pod sandbox's first process, for the real node's test;
#                              its source is below: a new PAUSE_VERSION rebuilds it)
# Each binary is named <tool>-<version> (helm: <version>-release, see build_helm); a
# stable symlink <tool> points at it, so a version bump rebuilds and an unchanged
# version costs nothing.
set -euo pipefail

K8S_VERSION=1.35.4
VERSITYGW_VERSION=1.8.0
HELM_VERSION=3.22.0
STRIPE_MOCK_VERSION=0.203.0
KWOK_VERSION=0.8.0
PAUSE_VERSION=1

CACHE=${KINEMA_CACHE:-$HOME/.cache/kinema}
BIN=$CACHE/bin
BUILD=$CACHE/build
mkdir -p "$BIN" "$BUILD"
export GOFLAGS=-buildvcs=false CGO_ENABLED=0

log() { printf '[go-tools] %s\n' "$*" >&2; }

have() { [ -x "$BIN/$1-$2" ]; }

link() { ln -sfn "$1-$2" "$BIN/$1"; }

# go install MODULE/PKG@VERSION into a private GOBIN, then rename with the version.
install_tool() {
  local name=$1 pkg=$2 version=$3 gobin
  if have "$name" "$version"; then link "$name" "$version"; return; fi
  log "building $name $version"
  gobin=$(mktemp -d)
  GOBIN=$gobin go install "$pkg@v$version"
  mv "$gobin/$(basename "${pkg%/v[0-9]*}")" "$BIN/$name-$version" 2>/dev/null \
    || mv "$gobin"/* "$BIN/$name-$version"
  rm -rf "$gobin"
  link "$name" "$version"
}

# Kubernetes publishes k8s.io/kubernetes with its staging modules replaced by local
# paths, so `go install` cannot build it. A throwaway module requires it and replaces
# every staging module with its published v0.x twin; etcd is built in the same module
# so that it is exactly the etcd version this Kubernetes pins.
K8S_TOOLS="kube-apiserver kube-controller-manager kube-scheduler kubelet"
build_kubernetes() {
  local v=$K8S_VERSION minor=${K8S_VERSION#*.}; minor=${minor%%.*}
  local all=1
  for t in $K8S_TOOLS etcd; do
    have "$t" "$v" || all=0
  done
  if [ $all = 1 ]; then
    for t in $K8S_TOOLS etcd; do link "$t" "$v"; done
    return
  fi
  log "building Kubernetes $v control plane and its etcd (several minutes, once)"
  local dir=$BUILD/kubernetes-$v
  mkdir -p "$dir/cmd/etcd"
  local modfile
  modfile=$(go mod download -json "k8s.io/kubernetes@v$v" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  {
    echo "module kinema.dev/k8s-tools"
    echo
    echo "go $(go env GOVERSION | sed 's/^go//; s/\([0-9]*\.[0-9]*\).*/\1/')"
    echo
    echo "require k8s.io/kubernetes v$v"
    echo
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#replace \1 => \1 v0.'"$minor"'.'"${v##*.}"'#p' "$modfile"
  } >"$dir/go.mod"
  cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
  cat >"$dir/cmd/etcd/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (
    cd "$dir"
    go mod tidy
    local ld="-s -w -X k8s.io/component-base/version.gitVersion=v$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
    for t in $K8S_TOOLS; do
      have "$t" "$v" || { log "  $t"; go build -ldflags "$ld" -o "$BIN/$t-$v" "k8s.io/kubernetes/cmd/$t"; }
    done
    have etcd "$v" || { log "  etcd"; go build -ldflags "-s -w" -o "$BIN/etcd-$v" ./cmd/etcd; }
  )
  for t in $K8S_TOOLS etcd; do link "$t" "$v"; done
}

# Helm's own release build (its Makefile) sets its version and, from the client-go it is
# built against, the Kubernetes version `helm template` and `helm lint` assume when no
# --kube-version is given; a plain `go install` leaves that at v1.20.0, below the chart's
# kubeVersion floor. Built the same way here (a release tag: no "+unreleased" metadata).
# The "-release" suffix is part of the cache key, so an earlier plain build is replaced.
build_helm() {
  local v=$HELM_VERSION tag=$HELM_VERSION-release modfile client major minor ld gobin
  if have helm "$tag"; then link helm "$tag"; return; fi
  log "building helm $v with its release ldflags"
  modfile=$(go mod download -json "helm.sh/helm/v3@v$v" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  client=$(sed -n 's#^\s*k8s.io/client-go v\([0-9][0-9.]*\).*#\1#p' "$modfile")
  [ -n "$client" ] || { log "helm $v's go.mod names no k8s.io/client-go"; exit 1; }
  # client-go v0.Y.Z is Kubernetes 1.Y.Z: Helm's Makefile takes major+1 and minor.
  major=$((${client%%.*} + 1))
  minor=${client#*.}
  minor=${minor%%.*}
  ld="-w -s -X helm.sh/helm/v3/internal/version.version=v$v"
  ld="$ld -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld="$ld -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
  done
  gobin=$(mktemp -d)
  GOBIN=$gobin go install -trimpath -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@v$v"
  mv "$gobin/helm" "$BIN/helm-$tag"
  rm -rf "$gobin"
  link helm "$tag"
}

# The pod sandbox's process (what registry.k8s.io/pause runs, in Go rather than C so it
# builds from this machine's toolchain): it holds the pod's namespaces, reaps zombies
# and exits on SIGINT/SIGTERM. tests/utils/oci_image.py makes it an image.
build_pause() {
  local v=$PAUSE_VERSION dir=$BUILD/pause-$PAUSE_VERSION
  if have kinema-pause "$v"; then link kinema-pause "$v"; return; fi
  log "building kinema-pause $v"
  mkdir -p "$dir"
  printf 'module kinema.dev/pause\n\ngo 1.21\n' >"$dir/go.mod"
  cat >"$dir/main.go" <<'GO'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
GO
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$BIN/kinema-pause-$v" .)
  link kinema-pause "$v"
}

build_kubernetes
build_pause
install_tool versitygw github.com/versity/versitygw/cmd/versitygw "$VERSITYGW_VERSION"
build_helm
install_tool stripe-mock github.com/stripe/stripe-mock "$STRIPE_MOCK_VERSION"
install_tool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
log "tools ready in $BIN"
