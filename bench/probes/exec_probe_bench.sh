#!/usr/bin/env bash
# Exec probe cost of the whole agent (it is not a test): PODS pods of CONTAINERS busybox
# containers, each with an exec readinessProbe (`true`, periodSeconds PERIOD), on one private
# containerd (scripts/private-containerd.sh). After the pods are Ready and SETTLE seconds have
# passed, the agent's CPU time (utime+stime of /proc/PID/stat) is sampled over SECONDS seconds
# and divided by the number of probe runs in that window (from the probes' own counters, which
# nodectl probes shows). Also: containerd's and the shims' CPU over the same window (the exec
# work that is not the agent's), and the agent's VmRSS. Target (issue 15): <= 2 ms of agent CPU
# per exec probe.
#
#   sudo bench/probes/exec_probe_bench.sh [--pods 20] [--containers 5] [--period 10] [--seconds 60]
#     [--build-dir build]
# Everything it creates (containerd, namespace, containers, shims, mounts, cgroups, temp dir,
# agent) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$script_dir/../.." && pwd)
PODS=${PODS:-20} CONTAINERS=${CONTAINERS:-5} PERIOD=${PERIOD:-10} SECONDS_=${SECONDS_:-60} SETTLE=${SETTLE:-15}
BUILD_DIR=${BUILD_DIR:-$source_dir/build}
while (($#)); do
  case $1 in
  --pods) PODS=$2; shift 2 ;;
  --containers) CONTAINERS=$2; shift 2 ;;
  --period) PERIOD=$2; shift 2 ;;
  --seconds) SECONDS_=$2; shift 2 ;;
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  *) echo "usage: $0 [--pods N] [--containers N] [--period S] [--seconds S] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
[[ $(id -u) == 0 ]] || { echo "exec_probe_bench: needs root" >&2; exit 1; }
for bin in nodeagent nodectl nodeagent-logger; do
  [[ -x $BUILD_DIR/bin/$bin ]] || { echo "exec_probe_bench: $BUILD_DIR/bin/$bin missing: build it first" >&2; exit 1; }
done

work=$(mktemp -d /tmp/na-bench-exec-XXXXXX)
ctd_dir=$work/ctd
sock=$ctd_dir/containerd.sock
ns=naexec$$
manifests=$work/manifests
api_sock=$work/nodeagent.sock
cgroup_root=/na-bench-exec-$$
agent_pid=
ctr_() { ctr --address "$sock" "$@"; }
nodectl_() { "$BUILD_DIR/bin/nodectl" --socket "$api_sock" "$@"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    rm -f "$manifests"/*
    for _ in $(seq 120); do
      [[ $(nodectl_ pods -o json 2>/dev/null | grep -c '"uid"') == 0 ]] && break
      sleep 0.5
    done
    kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null
  fi
  if [[ -S $sock ]]; then
    for id in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do ctr_ -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
    sleep 0.5
    for id in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do ctr_ -n "$ns" tasks rm -f "$id" >/dev/null 2>&1; done
    for id in $(ctr_ -n "$ns" containers ls -q 2>/dev/null); do ctr_ -n "$ns" containers rm "$id" >/dev/null 2>&1; done
    for id in $(ctr_ -n "$ns" images ls -q 2>/dev/null); do ctr_ -n "$ns" images rm --sync "$id" >/dev/null 2>&1; done
    ctr_ namespaces rm "$ns" >/dev/null 2>&1
  fi
  "$source_dir/scripts/private-containerd.sh" stop "$ctd_dir" >/dev/null 2>&1
  grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  find /sys/fs/cgroup -depth -type d -path "*$cgroup_root*" -exec rmdir {} + 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

# CPU seconds (user+system) of a set of pids.
cpu_of() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
shim_pids() { pgrep -f "containerd-shim-runc-v2 -namespace $ns" || true; }
probe_runs() { # successes + failures counted since the last transition are not totals: use the agent's own counter
  nodectl_ probes -o json | python3 -c 'import json,sys; print(sum(p["successes"] + p["failures"] for p in json.load(sys.stdin)["items"]))'
}

mkdir -p "$manifests"
"$source_dir/scripts/private-containerd.sh" start "$ctd_dir" >/dev/null
image_tar=/tmp/nodeagent-test-images/busybox.tar
"$source_dir/test/fixtures/images/build-test-image.sh" "$image_tar"
ctr_ -n "$ns" images import --base-name docker.io/library/busybox "$image_tar" >/dev/null

"$BUILD_DIR/bin/nodeagent" --pod-manifest-path "$manifests" --root-dir "$work/root" --pod-log-dir "$work/logs" \
  --container-runtime-endpoint "unix://$sock" --containerd-namespace "$ns" --api-socket "$api_sock" \
  --hostname-override bench-node --logger-path "$BUILD_DIR/bin/nodeagent-logger" --cgroup-root "$cgroup_root" \
  --no-network --no-proxy --log-level warn >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 200); do nodectl_ version >/dev/null 2>&1 && break; sleep 0.1; done

for p in $(seq "$PODS"); do
  {
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: exec%s}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n' "$p"
    for c in $(seq "$CONTAINERS"); do
      printf '  - name: c%s\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n' "$c"
      printf '    command: [sleep, "3600"]\n    readinessProbe:\n      exec: {command: ["true"]}\n'
      printf '      periodSeconds: %s\n' "$PERIOD"
    done
  } >"$manifests/exec$p.yaml"
done
probes=$((PODS * CONTAINERS))
echo "exec_probe_bench: $PODS pods x $CONTAINERS containers = $probes exec probes, period ${PERIOD}s"
ready=0
for _ in $(seq 240); do
  ready=$(nodectl_ probes -o json | python3 -c 'import json,sys; print(sum(p["result"] == "Success" for p in json.load(sys.stdin)["items"]))')
  ((ready == probes)) && break
  sleep 1
done
((ready == probes)) || { echo "exec_probe_bench: only $ready of $probes probes succeeded" >&2; tail -20 "$work/agent.log" >&2; exit 1; }
sleep "$SETTLE"

hz=$(getconf CLK_TCK)
ctd_pid=$(cat "$ctd_dir/containerd.pid")
runs0=$(probe_runs)
agent0=$(cpu_of "$agent_pid")
# shellcheck disable=SC2046
others0=$(cpu_of "$ctd_pid" $(shim_pids))
sleep "$SECONDS_"
runs1=$(probe_runs)
agent1=$(cpu_of "$agent_pid")
# shellcheck disable=SC2046
others1=$(cpu_of "$ctd_pid" $(shim_pids))
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$agent_pid/status")

# The consecutive-success counters only grow while every probe keeps succeeding (checked above),
# so their sum's growth is the number of runs in the window; expected: probes * SECONDS / PERIOD.
runs=$((runs1 - runs0))
expected=$((probes * SECONDS_ / PERIOD))
python3 - "$runs" "$expected" "$agent0" "$agent1" "$others0" "$others1" "$hz" "$SECONDS_" "$rss" <<'PY'
import sys
runs, expected, a0, a1, o0, o1, hz, secs, rss = map(int, sys.argv[1:])
agent_s = (a1 - a0) / hz
others_s = (o1 - o0) / hz
per = agent_s / runs * 1000 if runs else float("nan")
print(f"window {secs} s: {runs} exec probe runs (expected {expected})")
print(f"agent CPU        {agent_s:.2f} s = {agent_s / secs * 100:.2f} % of one core; {per:.2f} ms per exec probe (target <= 2 ms)")
print(f"containerd+shims {others_s:.2f} s = {others_s / secs * 100:.2f} % of one core; {others_s / runs * 1000 if runs else 0:.2f} ms per exec")
print(f"agent VmRSS      {rss / 1024:.1f} MiB")
PY
