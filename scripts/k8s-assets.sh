#!/usr/bin/env bash
# Prints a folder holding kube-apiserver, kube-controller-manager and etcd for the test cluster.
# KUBEBUILDER_ASSETS (the envtest convention) wins when it holds kube-apiserver and etcd. Otherwise the
# binaries are built once from Debian's bookworm source package `kubernetes` (v1.20.2) and cached under
# ~/.cache, as README.md ("Tests") describes. Progress goes to stderr; stdout is the folder.
set -euo pipefail

if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

K8S_VERSION=1.20.2
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-ivyo-upgrade/kubernetes-$K8S_VERSION"
bin="$cache/bin"
if [[ -x "$bin/kube-apiserver" && -x "$bin/kube-controller-manager" && -x "$bin/etcd" ]]; then
  echo "$bin"
  exit 0
fi

log() { echo "k8s-assets: $*" >&2; }
# shellcheck source=scripts/progress.sh
source "$(dirname "$0")/progress.sh"
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

log "building Kubernetes v$K8S_VERSION test binaries into $bin (once; about 5 minutes)"
src_list=/etc/apt/sources.list.d/kubectl-ivyo-upgrade-src.sources
if [[ ! -f $src_list ]]; then
  as_root tee "$src_list" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
log "installing Debian packages: golang-go etcd-server rsync jq dpkg-dev golang-github-modern-go-reflect2-dev"
with_progress "installing Debian packages" as_root apt-get update -qq >&2
with_progress "installing Debian packages" as_root apt-get install -y -qq golang-go etcd-server rsync jq dpkg-dev golang-github-modern-go-reflect2-dev >&2

work="$cache/src"
rm -rf "$work"
mkdir -p "$work"
log "downloading Debian's source package kubernetes (about 34 MB)"
(cd "$work" && with_progress "downloading the kubernetes source package" apt-get source --download-only kubernetes >&2)
orig=$(ls "$work"/kubernetes_*.orig.tar.gz | head -n 1)
mkdir -p "$work/kubernetes"
tar -xzf "$orig" -C "$work/kubernetes" --strip-components=1
root="$work/kubernetes"

# reflect2 1.0.1 (vendored) crashes the apiserver under Go >= 1.18; Debian's 1.0.2 does not.
rm -rf "$root/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$root/vendor/github.com/modern-go/reflect2"
rm -f "$root/vendor/github.com/modern-go/reflect2/go.mod"

mkdir -p "$root/.go/src/k8s.io"
ln -sfn "$root" "$root/.go/src/k8s.io/kubernetes"
(
  cd "$root/.go/src/k8s.io/kubernetes"
  export GOPATH="$root/.go" CGO_ENABLED=0 GO111MODULE=off GOCACHE="$cache/gocache"
  with_progress "building kube-apiserver and kube-controller-manager" make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >&2
)
mkdir -p "$bin"
cp "$root/_output/bin/kube-apiserver" "$root/_output/bin/kube-controller-manager" "$bin/"
cp "$(command -v etcd)" "$bin/etcd"
rm -rf "$work" "$cache/gocache"
log "done: $(du -sh "$bin" | cut -f1) in $bin"
echo "$bin"
