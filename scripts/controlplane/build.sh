#!/usr/bin/env bash
# Builds the real upstream control plane for nodeagent's tests from Go modules:
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from k8s.io/kubernetes
# (test/controlplane/k8s), etcd from go.etcd.io/etcd/server/v3 (test/controlplane/etcd), and
# with --with-node also upstream kubelet and kube-proxy (for side-by-side benchmarks).
#
# The binaries go to a cache dir keyed by the k8s version and a hash of both modules'
# go.mod/go.sum and the build flags:
#   ${NODEAGENT_CP_CACHE:-/var/cache/nodeagent/controlplane}/<k8s version>-<hash>/bin/
# When everything asked for is already there, this returns at once without running `go`.
# Go's own caches stay at their defaults (~/go/pkg/mod, ~/.cache/go-build), so a machine that
# built once rebuilds in minutes even after a version bump.
#
# The bin dir is the last line on stdout; progress goes to stderr.
set -euo pipefail

usage() { echo "usage: $0 [--with-node]" >&2; exit 2; }
with_node=0
for arg in "$@"; do
  case $arg in
    --with-node) with_node=1 ;;
    -h|--help) usage ;;
    *) echo "build.sh: unknown argument '$arg'" >&2; usage ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
K8S_MOD=$ROOT/test/controlplane/k8s
ETCD_MOD=$ROOT/test/controlplane/etcd

# Read the pinned versions from go.mod with awk: the fast path must not start `go`.
k8s_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v1\./ {print $2; exit}
                   $1 == "require" && $2 == "k8s.io/kubernetes" {print $3; exit}' "$K8S_MOD/go.mod")
[[ $k8s_version =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || { echo "build.sh: no k8s.io/kubernetes version in $K8S_MOD/go.mod" >&2; exit 1; }
k8s_minor=${BASH_REMATCH[1]}

# Version stamping as upstream's hack/lib/version.sh does it; without it the binaries call
# themselves v0.0.0-master. buildDate is the release's commit time (the proxy's .info Time),
# filled in at build time, so that the flags (and the cache key) do not change from run to run.
version_ldflags() { # build_date
  local v=$k8s_version pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean -X %s.gitCommit= -X %s.buildDate=%s ' \
      "$pkg" "$v" "$pkg" "$pkg" "$k8s_minor" "$pkg" "$pkg" "$pkg" "$1"
  done
}
BUILD_ENV="CGO_ENABLED=0 GOFLAGS=-trimpath -buildvcs=false"
BUILD_FLAGS="go build -p 2 -ldflags -s -w $(version_ldflags BUILD_DATE)"

key=$(cat "$K8S_MOD/go.mod" "$K8S_MOD/go.sum" "$ETCD_MOD/go.mod" "$ETCD_MOD/go.sum" \
        "$ETCD_MOD/main.go" <(echo "$BUILD_ENV $BUILD_FLAGS") | sha256sum | cut -c1-16)
CACHE=${NODEAGENT_CP_CACHE:-/var/cache/nodeagent/controlplane}
OUT=$CACHE/$k8s_version-$key
BIN=$OUT/bin

k8s_cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
((with_node)) && k8s_cmds+=(kubelet kube-proxy)

have_all() {
  local b
  for b in "${k8s_cmds[@]}" etcd; do [[ -x $BIN/$b ]] || return 1; done
}
if have_all; then echo "$BIN"; exit 0; fi

mkdir -p "$BIN"
# One build per cache dir at a time; a second caller waits and then finds the binaries.
exec 9>"$OUT/.lock"
flock 9
if have_all; then echo "$BIN"; exit 0; fi

export CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
command -v go >/dev/null || { echo "build.sh: go not found (Go 1.26 is needed)" >&2; exit 1; }
# A release whose go.mod needs a newer Go than the machine's: fetch that toolchain through the
# module proxy (PLATFORM-NOTES), unless the caller chose one.
need_go=$(awk '$1 == "go" {print $2; exit}' "$K8S_MOD/go.mod")
have_go=$(go env GOVERSION); have_go=${have_go#go}
if [[ ${GOTOOLCHAIN:-local} == local && $(printf '%s\n' "$need_go" "$have_go" | sort -V | head -n 1) != "$need_go" ]]; then
  export GOTOOLCHAIN=${NODEAGENT_CP_GOTOOLCHAIN:-go1.27.3}
  echo "build.sh: go.mod needs go $need_go, this is go $have_go: using GOTOOLCHAIN=$GOTOOLCHAIN" >&2
fi

# Each binary is linked into a temp dir and moved in place whole, so a binary that exists in
# $BIN is always complete, even after an interrupted build.
tmp=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s)
missing=()
for b in "${k8s_cmds[@]}"; do [[ -x $BIN/$b ]] || missing+=("$b"); done
if ((${#missing[@]})); then
  build_date=$(cd "$K8S_MOD" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
  pkgs=(); for b in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  echo "build.sh: building ${missing[*]} from k8s.io/kubernetes $k8s_version (about 10 min on 2 cores with empty Go caches)" >&2
  (cd "$K8S_MOD" && go build -p 2 -ldflags "-s -w $(version_ldflags "$build_date")" -o "$tmp/" "${pkgs[@]}") >&2
  for b in "${missing[@]}"; do mv -f "$tmp/$b" "$BIN/$b"; done
fi
if [[ ! -x $BIN/etcd ]]; then
  etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" {print $2; exit}
                      $1 == "require" && $2 == "go.etcd.io/etcd/server/v3" {print $3; exit}' "$ETCD_MOD/go.mod")
  echo "build.sh: building etcd $etcd_version" >&2
  (cd "$ETCD_MOD" && go build -p 2 -ldflags "-s -w" -o "$tmp/etcd" .) >&2
  mv -f "$tmp/etcd" "$BIN/etcd"
fi
echo "build.sh: built in $(($(date +%s) - start)) s" >&2
echo "$BIN"
