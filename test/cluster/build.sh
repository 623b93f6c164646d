#!/usr/bin/env bash
# Builds the control-plane binaries for the cluster tests from the Go modules
# under test/cluster/go into a cache outside the repository:
#
#   ${PADDOCK_CLUSTER_CACHE:-$HOME/.cache/paddock-cluster}/<version>/bin/
#
# <version> names the pinned Kubernetes, etcd and kwok releases, read from the
# go.mod files, so a version bump builds into a fresh directory. Binaries that
# already exist there are skipped, so a warm run takes about a second.
#
# Usage:
#   bash test/cluster/build.sh            build what is missing, print the bin directory
#   bash test/cluster/build.sh --bin-dir  print the bin directory without building
set -euo pipefail

MODULES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/go"

# Prints the version that module $2 requires in $MODULES_DIR/$1/go.mod.
required_version() {
  awk -v module="$2" '$1 == module || ($1 == "require" && $2 == module) {
    print ($1 == "require" ? $3 : $2); exit
  }' "$MODULES_DIR/$1/go.mod"
}

kubernetes_version="$(required_version kubernetes k8s.io/kubernetes)"
etcd_version="$(required_version etcd go.etcd.io/etcd/server/v3)"
kwok_version="$(required_version kwok sigs.k8s.io/kwok)"
for pinned in "$kubernetes_version" "$etcd_version" "$kwok_version"; do
  if [[ -z "$pinned" ]]; then
    echo "build.sh: could not read a pinned version from the go.mod files in $MODULES_DIR" >&2
    exit 1
  fi
done

version="kubernetes-${kubernetes_version}_etcd-${etcd_version}_kwok-${kwok_version}"
bin_dir="${PADDOCK_CLUSTER_CACHE:-$HOME/.cache/paddock-cluster}/$version/bin"

if [[ "${1:-}" == "--bin-dir" ]]; then
  echo "$bin_dir"
  exit 0
fi
if [[ $# -gt 0 ]]; then
  echo "build.sh: unknown argument '$1'; the only option is --bin-dir" >&2
  exit 2
fi

if ! command -v go >/dev/null; then
  echo "build.sh: 'go' was not found on PATH; install Go 1.26 or newer" >&2
  exit 1
fi

# Static, stripped binaries without local paths or VCS stamps. The modules
# live in a git repository, and stamping would fail before its first commit.
export CGO_ENABLED=0
export GOFLAGS="-trimpath -buildvcs=false"
build_flags=(-ldflags=-s\ -w)

mkdir -p "$bin_dir"
staging_dir="$(mktemp -d "$bin_dir/.staging.XXXXXX")"
trap 'rm -rf "$staging_dir"' EXIT

# Builds the packages $2... of module $1 into the staging directory, then
# moves each binary into place, so an interrupted build leaves no binary
# that looks complete.
build_module() {
  local module="$1"
  shift
  local names=()
  for package in "$@"; do
    local name
    name="$(basename "$package")"
    [[ -x "$bin_dir/$name" ]] || names+=("$package")
  done
  if [[ ${#names[@]} -eq 0 ]]; then
    return
  fi

  echo "build.sh: building ${names[*]} in $MODULES_DIR/$module" >&2
  local started=$SECONDS
  (cd "$MODULES_DIR/$module" && go build "${build_flags[@]}" -o "$staging_dir/" "${names[@]}")
  for package in "${names[@]}"; do
    mv "$staging_dir/$(basename "$package")" "$bin_dir/"
  done
  echo "build.sh: built $module in $((SECONDS - started)) s" >&2
}

build_module etcd ./cmd/etcd
build_module kwok sigs.k8s.io/kwok/cmd/kwok
build_module kubernetes ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubectl

echo "$bin_dir"
