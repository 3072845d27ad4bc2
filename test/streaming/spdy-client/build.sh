#!/usr/bin/env bash
# Builds spdy-client (test/streaming/spdy-client) into OUT_DIR and prints its path. Go's build
# cache makes a rebuild of an unchanged client take about a second.
#   build.sh OUT_DIR
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
cd "$(dirname "$0")"
export PATH=$PATH:/usr/local/go/bin CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false"
mkdir -p "$out"
exec 9>"$out/.spdy-client.lock"
flock 9
go build -p 2 -o "$out/spdy-client" . >&2
echo "$out/spdy-client"
