#!/usr/bin/env bash
# Builds the control-plane binaries for the cluster tests from the Go modules
# under test/cluster/go into a cache outside the repository:
#
#   ${PADDOCK_CLUSTER_CACHE:-$HOME/.cache/paddock-cluster}/<version>/bin/
#
# <version> names the pinned Kubernetes, etcd, kwok and metrics-server
# releases, read from the go.mod files, plus a hash of the Go sources and build
# flags, so any change to them builds into a fresh directory. Binaries that already exist there are
# skipped, so a warm run takes about a second.
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
metrics_server_version="$(required_version metrics-server sigs.k8s.io/metrics-server)"
for pinned in "$kubernetes_version" "$etcd_version" "$kwok_version" "$metrics_server_version"; do
  if [[ -z "$pinned" ]]; then
    echo "build.sh: could not read a pinned version from the go.mod files in $MODULES_DIR" >&2
    exit 1
  fi
done

# Stripped binaries. The Kubernetes ones also report their release from
# /version and `--version`, as upstream's hack/lib/version.sh stamps it;
# without the stamp they report v0.0.0-master.
ldflags_common="-s -w"
kubernetes_minor="${kubernetes_version#v*.}"
kubernetes_minor="${kubernetes_minor%%.*}"
ldflags_kubernetes="$ldflags_common"
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags_kubernetes+=" -X $package.gitVersion=$kubernetes_version"
  ldflags_kubernetes+=" -X $package.gitMajor=1 -X $package.gitMinor=$kubernetes_minor"
  ldflags_kubernetes+=" -X $package.gitTreeState=clean"
done

inputs_hash="$(
  cd "$MODULES_DIR"
  find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | xargs sha256sum
  printf '%s\n' "$ldflags_common" "$ldflags_kubernetes"
)"
inputs_hash="$(printf '%s' "$inputs_hash" | sha256sum | cut -c1-12)"

version="kubernetes-${kubernetes_version}_etcd-${etcd_version}_kwok-${kwok_version}_metrics-server-${metrics_server_version}_${inputs_hash}"
bin_dir="${PADDOCK_CLUSTER_CACHE:-$HOME/.cache/paddock-cluster}/$version/bin"

if [[ "${1:-}" == "--bin-dir" ]]; then
  echo "$bin_dir"
  exit 0
fi
if [[ $# -gt 0 ]]; then
  echo "build.sh: unknown argument '$1'; the only option is --bin-dir" >&2
  exit 2
fi

# Static binaries without local paths. VCS stamping is off, because the
# binaries come from the pinned modules, not from this repository's commit.
export CGO_ENABLED=0
export GOFLAGS="-trimpath -buildvcs=false"

mkdir -p "$bin_dir"
staging_dir="$(mktemp -d "$bin_dir/.staging.XXXXXX")"
trap 'rm -rf "$staging_dir"' EXIT

# Builds the packages $3... of module $1 with linker flags $2 into the staging
# directory, then moves each binary into place, so an interrupted build
# leaves no binary that looks complete.
build_module() {
  local module="$1"
  local ldflags="$2"
  shift 2
  local packages=()
  for package in "$@"; do
    [[ -x "$bin_dir/$(basename "$package")" ]] || packages+=("$package")
  done
  if [[ ${#packages[@]} -eq 0 ]]; then
    return
  fi
  if ! command -v go >/dev/null; then
    echo "build.sh: 'go' was not found on PATH; install Go 1.26 or newer" >&2
    exit 1
  fi

  echo "build.sh: building ${packages[*]} in $MODULES_DIR/$module" >&2
  local started=$SECONDS
  (cd "$MODULES_DIR/$module" && go build -ldflags="$ldflags" -o "$staging_dir/" "${packages[@]}")
  for package in "${packages[@]}"; do
    mv "$staging_dir/$(basename "$package")" "$bin_dir/"
  done
  echo "build.sh: built $module in $((SECONDS - started)) s" >&2
}

build_module etcd "$ldflags_common" ./cmd/etcd
build_module kwok "$ldflags_common" sigs.k8s.io/kwok/cmd/kwok
build_module metrics-server "$ldflags_common" sigs.k8s.io/metrics-server/cmd/metrics-server
build_module kubernetes "$ldflags_kubernetes" \
  ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubectl

echo "$bin_dir"
