#!/usr/bin/env bash
# Leak check for the whole suite, run by ctest as the fixture set-up (baseline) and clean-up
# (compare) around every integration and e2e test: after the suite, no network namespace, mount
# (volumes, namespaces), loop device, containerd shim, veth or nodeagent process that a test made
# may be left.
#   leak_check.sh baseline FILE | leak_check.sh check FILE
set -euo pipefail
mode=${1:?baseline|check}
file=${2:?state file}

snapshot() {
  echo "netns $(ip netns list 2>/dev/null | wc -l)"
  echo "nodeagent-mounts $(grep -cE 'nodeagent|na-test|/run/netns/' /proc/self/mountinfo || true)"
  echo "shims $(pgrep -fc 'containerd-shim-runc-v2' || true)"
  echo "agents $(pgrep -xc nodeagent || true)"
  echo "pause $(pgrep -fc 'nodeagent(-pause| pause)' || true)"
  echo "veths $(ip -o link show type veth 2>/dev/null | wc -l)"
  # Volumes: loop devices (PV tests) and any mount under an agent's root dir (tmpfs, binds).
  echo "loops $(losetup -a 2>/dev/null | wc -l)"
  echo "root-dir-mounts $(grep -cE '/pods/[a-z0-9-]+/(volumes|volume-subpaths|ns)|/plugins/kubernetes.io' /proc/self/mountinfo || true)"
}

case $mode in
baseline) snapshot >"$file" ;;
check)
  now=$(mktemp)
  snapshot >"$now"
  if ! diff -u "$file" "$now"; then
    echo "leak_check: the suite left resources behind (baseline vs now above)" >&2
    ip netns list >&2 || true
    grep -E 'nodeagent|na-test|/run/netns/|/pods/|/plugins/kubernetes.io' /proc/self/mountinfo >&2 || true
    losetup -a >&2 || true
    rm -f "$now"
    exit 1
  fi
  rm -f "$now"
  echo "leak_check: nothing left behind"
  ;;
esac
