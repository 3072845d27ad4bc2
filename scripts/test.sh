#!/usr/bin/env bash
# The test command (README): installs what is missing, builds once, runs every test with ctest
# (unit, integration against a private containerd and real namespaces/iptables, e2e with the
# daemon and nodectl), and ends with ctest's summary.
#
#   scripts/test.sh                 # RelWithDebInfo build in build/
#   SANITIZE=1 scripts/test.sh      # ASan + UBSan build in build-asan/
#   scripts/test.sh -L unit         # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "test.sh: the integration tests need root (namespaces, mounts, containerd, iptables)" >&2
  exit 1
fi
scripts/install-deps.sh

build=build
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ ${SANITIZE:-0} == 1 ]]; then
  build=build-asan
  args+=(-DNODEAGENT_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
# ccache's default directory; paths are relative to the source tree, so any checkout hits.
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}

cmake -S . -B "$build" -G Ninja "${args[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
ccache --show-stats 2>/dev/null | grep -iE "^(cache hit|hits|misses)" || true

# Integration tests run one at a time: they share the kernel (mounts, netns, iptables) and a
# 2-core machine; unit tests are fast either way.
cd "$build"
ctest --output-on-failure --timeout 600 "$@"
