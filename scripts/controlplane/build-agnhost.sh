#!/usr/bin/env bash
# Builds upstream's agnhost test server (k8s.io/kubernetes/test/images/agnhost) from
# test/controlplane/agnhost, the sibling of the control plane's module with the same pins,
# CGO_ENABLED=0. The probes' e2e tests put it into a test image
# (test/fixtures/images/build-agnhost-image.sh) for gRPC health checks and HTTP redirects.
#
# Cached like build.sh: ${NODEAGENT_CP_CACHE:-/var/cache/nodeagent/controlplane}/
# agnhost-<k8s version>-<hash of go.mod, go.sum and flags>/agnhost; a cached binary returns at
# once without running `go`. The binary's path is the last line on stdout; progress on stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MOD=$ROOT/test/controlplane/agnhost
k8s_version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3; exit}' "$MOD/go.mod")
[[ $k8s_version =~ ^v1\.[0-9]+\.[0-9]+$ ]] || { echo "build-agnhost.sh: no k8s.io/kubernetes version in $MOD/go.mod" >&2; exit 1; }

BUILD_ENV="CGO_ENABLED=0 GOFLAGS=-trimpath -buildvcs=false"
BUILD_FLAGS="go build -p 2 -ldflags -s -w"
key=$(cat "$MOD/go.mod" "$MOD/go.sum" <(echo "$BUILD_ENV $BUILD_FLAGS") | sha256sum | cut -c1-16)
OUT=${NODEAGENT_CP_CACHE:-/var/cache/nodeagent/controlplane}/agnhost-$k8s_version-$key
BIN=$OUT/agnhost
if [[ -x $BIN ]]; then echo "$BIN"; exit 0; fi

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9
if [[ -x $BIN ]]; then echo "$BIN"; exit 0; fi

export CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
command -v go >/dev/null || { echo "build-agnhost.sh: go not found (Go 1.26 is needed)" >&2; exit 1; }
tmp=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "build-agnhost.sh: building agnhost from k8s.io/kubernetes $k8s_version" >&2
(cd "$MOD" && go build -p 2 -ldflags "-s -w" -o "$tmp/agnhost" k8s.io/kubernetes/test/images/agnhost) >&2
mv -f "$tmp/agnhost" "$BIN"
echo "build-agnhost.sh: built in $(($(date +%s) - start)) s" >&2
echo "$BIN"
