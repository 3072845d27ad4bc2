#!/usr/bin/env bash
# Pod start benchmark of nodeagent: prints figures (it is not a test).
#
#   cmake -S /work/main -B /work/main/build-bench -G Ninja &&
#   cmake --build /work/main/build-bench --target nodeagent nodectl nodeagent-logger &&
#   sudo bench/pods/pod_start_bench.sh [--runs 50] [--burst 30] [--build-dir /work/main/build-bench]
#
# Options (or environment): --runs N (RUNS, default 50) runs per single-pod series;
# --burst N (BURST, default 30) pods written at once; --build-dir D (BUILD_DIR);
# --log-level L (LOG_LEVEL, default debug: the per-step breakdown is read from that log);
# --keep-logs (KEEP_LOGS=1) copies the agent log to /tmp before cleanup;
# --no-network-series (NETWORK_SERIES=0) skips the series with pod networking (see 1b below);
# --experiment-no-debounce (NO_DEBOUNCE=1) LD_PRELOADs no_debounce_preload.c into the agent to show
# what the manifest source's 50 ms debounce costs (an experiment: not the agent as shipped).
#
# What it measures, all against one private containerd started here (scripts/private-containerd.sh):
#  1. latency from renaming a static pod manifest into --pod-manifest-path to ALL containers of
#     the pod running, for a 1-container and a 2-container pod (busybox sleep, image present);
# 1b. the same 1-container pod through a second agent with pod networking on (bridge, veth, IPAM,
#     pod files with the pod IP), run in a network namespace of its own (nabench<pid>) so that
#     the host's links are untouched: the difference to 1. is what networking adds to a start;
#  2. the floor: `ctr run -d` of the same image and command, same containerd, same measure;
#  3. BURST manifests renamed in at once: time until every container of every pod runs;
#  4. the agent's VmRSS / VmHWM with those BURST pods running.
# "Running" is containerd's own /tasks/start event (read from `ctr events`), whose timestamp is
# taken by containerd when the shim reports that runc started the process: no polling, the same
# end point for nodeagent and for ctr, and the reader's speed does not change the figure.
# Everything it creates (containerd, namespaces, containers, shims, mounts, cgroups, temp dir,
# agent) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$script_dir/../.." && pwd)
RUNS=${RUNS:-50}
BURST=${BURST:-30}
BUILD_DIR=${BUILD_DIR:-$source_dir/build-bench}
LOG_LEVEL=${LOG_LEVEL:-debug}
KEEP_LOGS=${KEEP_LOGS:-0}
NO_DEBOUNCE=${NO_DEBOUNCE:-0}
NETWORK_SERIES=${NETWORK_SERIES:-1}
while (($#)); do
  case $1 in
  --runs) RUNS=$2; shift 2 ;;
  --burst) BURST=$2; shift 2 ;;
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  --log-level) LOG_LEVEL=$2; shift 2 ;;
  --keep-logs) KEEP_LOGS=1; shift ;;
  --no-network-series) NETWORK_SERIES=0; shift ;;
  --experiment-no-debounce) NO_DEBOUNCE=1; shift ;;
  *) echo "usage: $0 [--runs N] [--burst N] [--build-dir DIR] [--log-level L] [--keep-logs] [--no-network-series] [--experiment-no-debounce]" >&2; exit 2 ;;
  esac
done

BUILD_DIR=$(cd "$BUILD_DIR" && pwd) # absolute: the agent and the shims run elsewhere

# Targets from the task.
readonly TARGET_RATIO=1.3 TARGET_BURST_MS=10000 TARGET_RSS_KIB=$((40 * 1024))
readonly IMAGE=docker.io/library/busybox:latest
readonly WAIT_START_S=60 WAIT_GONE_S=60

[[ $(id -u) == 0 ]] || { echo "pod_start_bench: needs root (containerd, runc, cgroups)" >&2; exit 1; }
for bin in nodeagent nodectl nodeagent-logger; do
  [[ -x $BUILD_DIR/bin/$bin ]] || { echo "pod_start_bench: $BUILD_DIR/bin/$bin missing: build it first (see top of $0)" >&2; exit 1; }
done

# ---------------------------------------------------------------- setup and cleanup
tag=nabench$$
work=$(mktemp -d /tmp/na-bench-pods-XXXXXX)
ctd_dir=$work/ctd
sock=$ctd_dir/containerd.sock
ns_agent=$tag
ns_ctr=${tag}ctr
manifests=$work/manifests
staging=$work/staging
api_sock=$work/nodeagent.sock
cgroup_root=/na-bench-$$
agent_pid=
events_pid=
# The second agent, with pod networking, in its own netns.
netns=nabench$$
ns_agent_net=${tag}net
manifests_net=$work/manifests-net
api_sock_net=$work/nodeagent-net.sock
agent_net_pid=
# Which agent one_pod_run and pod_count talk to (use_agent plain|net).
cur_manifests=$manifests
cur_sock=$api_sock
cur_ns=$ns_agent
use_agent() {
  if [[ $1 == net ]]; then cur_manifests=$manifests_net cur_sock=$api_sock_net cur_ns=$ns_agent_net
  else cur_manifests=$manifests cur_sock=$api_sock cur_ns=$ns_agent; fi
}

ctr_() { ctr --address "$sock" "$@"; }
nodectl_() { "$BUILD_DIR/bin/nodectl" --socket "$cur_sock" "$@"; }

# Removes every task, container, image and the namespace itself (shims outlive containerd).
clean_namespace() {
  local ns=$1 id
  ctr_ namespaces ls -q 2>/dev/null | grep -qx "$ns" || return 0
  for id in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do
    ctr_ -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr_ -n "$ns" tasks ls -q 2>/dev/null); do ctr_ -n "$ns" tasks rm -f "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_ -n "$ns" containers ls -q 2>/dev/null); do ctr_ -n "$ns" containers rm "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_ -n "$ns" images ls -q 2>/dev/null); do ctr_ -n "$ns" images rm --sync "$id" >/dev/null 2>&1 || true; done
  ctr_ namespaces rm "$ns" >/dev/null 2>&1 || echo "pod_start_bench: cleanup: containerd namespace $ns not empty" >&2
}

# Lets an agent delete its pods itself (it also removes netns, veths, IPs, volumes, cgroups),
# then stops it.
stop_agent() {
  local which=$1 pid=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  use_agent "$which"
  rm -f "$cur_manifests"/* 2>/dev/null
  for _ in $(seq 100); do
    [[ $(pod_count) == 0 ]] && break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  stop_agent plain "$agent_pid"
  stop_agent net "$agent_net_pid"
  [[ -n $events_pid ]] && { kill "$events_pid" 2>/dev/null; wait "$events_pid" 2>/dev/null; }
  if [[ -S $sock ]]; then
    clean_namespace "$ns_agent"
    clean_namespace "$ns_agent_net"
    clean_namespace "$ns_ctr"
  fi
  if ((KEEP_LOGS)); then
    cp "$work/agent.log" "/tmp/na-bench-pods-agent-$$.log" 2>/dev/null && echo "agent log kept: /tmp/na-bench-pods-agent-$$.log" >&2
  fi
  "$source_dir/scripts/private-containerd.sh" stop "$ctd_dir" >/dev/null 2>&1
  # Whatever is still mounted below the work dir (pod netns bind mounts, volumes), deepest first.
  grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  find /sys/fs/cgroup -depth -type d -path "*$cgroup_root*" -exec rmdir {} + 2>/dev/null
  ip netns delete "$netns" 2>/dev/null # the bridge and any veth go with it
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

# Number of pods the agent lists (terminating ones included), or -1 when it does not answer.
pod_count() {
  local out
  out=$(nodectl_ pods -o json 2>/dev/null) || { echo -1; return; }
  grep -c '"uid"' <<<"$out" || true
}

wait_pods_gone() {
  local deadline=$((SECONDS + WAIT_GONE_S))
  while [[ $(pod_count) != 0 ]]; do
    ((SECONDS < deadline)) || { echo "pod_start_bench: pods not gone after ${WAIT_GONE_S}s" >&2; return 1; }
    sleep 0.05
  done
}

# containerd prints "2026-11-25 08:36:39.4698887 +0000 UTC ns /topic {...}": epoch microseconds
# without forking per line (the date's epoch is computed once per day seen).
declare -A day_epoch=()
event_time_us() { # sets EVENT_US
  local day=$1 clock=$2 h m s frac
  [[ -n ${day_epoch[$day]:-} ]] || day_epoch[$day]=$(date -u -d "$day 00:00:00" +%s)
  IFS=: read -r h m s <<<"$clock"
  frac=${s#*.}; [[ $s == *.* ]] || frac=0
  s=${s%%.*}
  frac=${frac}000000; frac=${frac:0:6}
  EVENT_US=$(((day_epoch[$day] + 10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000000 + 10#$frac))
}

now_us() { local t=$EPOCHREALTIME; NOW_US=$((${t%.*} * 1000000 + 10#${t#*.})); }

# Discards events already queued (deletions of the previous run).
drain_events() {
  local line
  while read -r -t 0.02 line <&"${EVENTS[0]}"; do :; done
  return 0
}

# Blocks until `count` /tasks/start events of namespace `ns` arrive; sets LAST_START_US to the
# time of the last. Every event of `ns` on the way is appended to file `trace` as
# "offset_us_from_NOW_US topic" for the phase breakdown. (No command substitution: the
# coprocess' fds are not open in subshells.)
wait_task_starts() {
  local ns=$1 count=$2 trace=$3 seen=0 day clock _ ens topic
  local deadline=$((SECONDS + WAIT_START_S))
  while ((seen < count)); do
    ((SECONDS < deadline)) || { echo "pod_start_bench: only $seen of $count containers of $ns started in ${WAIT_START_S}s" >&2; return 1; }
    if ! read -r -t 5 day clock _ _ ens topic _ <&"${EVENTS[0]}"; then
      (($? > 128)) && continue # timed out: look at the deadline again
      echo "pod_start_bench: ctr events ended" >&2
      return 1
    fi
    [[ $ens == "$ns" ]] || continue
    event_time_us "$day" "$clock"
    ((EVENT_US >= NOW_US)) || continue # a late event of the previous run's teardown
    echo "$((EVENT_US - NOW_US)) $topic" >>"$trace"
    [[ $topic == /tasks/start ]] || continue
    seen=$((seen + 1))
    LAST_START_US=$EVENT_US
  done
}

pod_manifest() {
  local name=$1 containers=$2 i
  printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  terminationGracePeriodSeconds: 0\n  restartPolicy: Always\n  containers:\n' "$name"
  for ((i = 0; i < containers; i++)); do
    printf '  - name: c%d\n    image: %s\n    imagePullPolicy: IfNotPresent\n    command: ["sleep", "3600"]\n' "$i" "$IMAGE"
  done
}

# "p50 p99 min max" in ms of the microsecond values in file $1 (nearest rank).
percentiles() {
  sort -n "$1" | awk '{v[NR]=$1} END {
    n=NR; if (n==0) {print "- - - -"; exit}
    i50=int(0.50*n); if (i50<0.50*n) i50++; i99=int(0.99*n); if (i99<0.99*n) i99++
    printf "%.1f %.1f %.1f %.1f\n", v[i50]/1000, v[i99]/1000, v[1]/1000, v[n]/1000 }'
}

# ---------------------------------------------------------------- start containerd and the agent
printf 'pod_start_bench: runs=%s burst=%s build=%s work=%s\n' "$RUNS" "$BURST" "$BUILD_DIR" "$work"
mkdir -p "$manifests" "$staging" "$work/ctrlogs"
"$source_dir/scripts/private-containerd.sh" start "$ctd_dir" >/dev/null
image_tar=/tmp/nodeagent-test-images/busybox.tar # the cache the tests share
"$source_dir/test/fixtures/images/build-test-image.sh" "$image_tar"
for ns in "$ns_agent" "$ns_ctr"; do
  ctr_ -n "$ns" images import --base-name docker.io/library/busybox "$image_tar" >/dev/null
done

coproc EVENTS { exec ctr --address "$sock" events; }
events_pid=$EVENTS_PID

preload=
if ((NO_DEBOUNCE)); then
  cc -shared -fPIC -o "$work/no_debounce.so" "$script_dir/no_debounce_preload.c" -ldl
  preload=$work/no_debounce.so
fi
LD_PRELOAD=$preload "$BUILD_DIR/bin/nodeagent" --pod-manifest-path "$manifests" --root-dir "$work/root" --pod-log-dir "$work/logs" \
  --container-runtime-endpoint "unix://$sock" --containerd-namespace "$ns_agent" --api-socket "$api_sock" \
  --hostname-override "bench-node" --logger-path "$BUILD_DIR/bin/nodeagent-logger" --cgroup-root "$cgroup_root" \
  --no-network --no-proxy --log-level "$LOG_LEVEL" >"$work/agent.log" 2>&1 &
agent_pid=$!
wait_agent_up() {
  for _ in $(seq 200); do nodectl_ version >/dev/null 2>&1 && break; sleep 0.1; done
  nodectl_ version >/dev/null 2>&1 || { echo "pod_start_bench: agent did not come up:" >&2; tail -20 "$1" >&2; exit 1; }
}
wait_agent_up "$work/agent.log"

if ((NETWORK_SERIES)); then
  # Pod networking in a netns of the bench's own: no link, route or rule of the host is touched.
  ctr_ -n "$ns_agent_net" images import --base-name docker.io/library/busybox "$image_tar" >/dev/null
  mkdir -p "$manifests_net"
  ip netns add "$netns"
  ip -n "$netns" link set lo up
  nsenter --net="/run/netns/$netns" "$BUILD_DIR/bin/nodeagent" --pod-manifest-path "$manifests_net" \
    --root-dir "$work/root-net" --pod-log-dir "$work/logs-net" --container-runtime-endpoint "unix://$sock" \
    --containerd-namespace "$ns_agent_net" --api-socket "$api_sock_net" --hostname-override "bench-node-net" \
    --logger-path "$BUILD_DIR/bin/nodeagent-logger" --cgroup-root "$cgroup_root-net" \
    --pod-cidr 10.244.0.0/24 --node-ip 192.168.200.1 --no-proxy --log-level "$LOG_LEVEL" >"$work/agent-net.log" 2>&1 &
  agent_net_pid=$!
  use_agent net
  wait_agent_up "$work/agent-net.log"
  use_agent plain
fi

# "VmRSS VmHWM RssAnon RssFile" of the agent, KiB.
agent_memory() { awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/ {printf "%s ", $2} END {print ""}' "/proc/$agent_pid/status"; }
sleep 1
read -r idle_rss _ idle_anon idle_file < <(agent_memory)

# ---------------------------------------------------------------- 1. one pod at a time
# Renames the manifest of a `containers`-container pod in; appends the latency (us) to $out.
# With a fourth argument "net", through the agent with pod networking.
one_pod_run() {
  local name=$1 containers=$2 out=$3
  use_agent "${4:-plain}"
  pod_manifest "$name" "$containers" >"$staging/$name.yaml"
  drain_events
  now_us
  mv "$staging/$name.yaml" "$cur_manifests/$name.yaml"
  echo "$name $NOW_US" >>"$work/renames"
  echo "run $name" >>"$out.trace"
  wait_task_starts "$cur_ns" "$containers" "$out.trace"
  echo $((LAST_START_US - NOW_US)) >>"$out"
  rm -f "$cur_manifests/$name.yaml"
  wait_pods_gone
  use_agent plain
}

# The floor: ctr run -d of the same image and command, then removed again. With a third argument,
# the container's output goes to nodeagent-logger as the agent's containers do (binary:// URI),
# which tells the logger's share apart from the agent's own.
ctr_run() {
  local id=$1 out=$2
  local logger=(${3:+--log-uri "binary://$BUILD_DIR/bin/nodeagent-logger?path=$work/ctrlogs/$id.log"})
  drain_events
  now_us
  ctr_ -n "$ns_ctr" run -d "${logger[@]}" "$IMAGE" "$id" sleep 3600 >/dev/null
  echo "run $id" >>"$out.trace"
  wait_task_starts "$ns_ctr" 1 "$out.trace"
  echo $((LAST_START_US - NOW_US)) >>"$out"
  ctr_ -n "$ns_ctr" tasks kill -s SIGKILL "$id" >/dev/null
  for _ in $(seq 100); do
    [[ $(ctr_ -n "$ns_ctr" tasks ls | awk -v id="$id" '$1==id {print $3}') == STOPPED ]] && break
    sleep 0.02
  done
  ctr_ -n "$ns_ctr" tasks rm -f "$id" >/dev/null 2>&1
  ctr_ -n "$ns_ctr" containers rm "$id" >/dev/null
}

# Warm-up (first sandbox, first snapshot, page cache), not counted.
one_pod_run warm1 1 "$work/warm"
((NETWORK_SERIES)) && one_pod_run warmnet 1 "$work/warm" net
ctr_run warm "$work/warm"

# Interleaved so that load from other users of the machine hits all three series alike.
echo "pod_start_bench: $RUNS runs each of 1-container pod, 2-container pod, ctr run -d, ctr run -d with logger (interleaved)"
for ((r = 0; r < RUNS; r++)); do
  one_pod_run "p1-$r" 1 "$work/lat1"
  ((NETWORK_SERIES)) && one_pod_run "n1-$r" 1 "$work/latnet" net
  one_pod_run "p2-$r" 2 "$work/lat2"
  ctr_run "ctr-$r" "$work/latctr"
  ctr_run "ctrlog-$r" "$work/latctrlog" with-logger
done

# ---------------------------------------------------------------- 3./4. a burst of pods
echo "pod_start_bench: $BURST pods at once"
for ((i = 0; i < BURST; i++)); do pod_manifest "burst-$i" 1 >"$staging/burst-$i.yaml"; done
drain_events
now_us
mv "$staging"/burst-*.yaml "$manifests"/
for ((i = 0; i < BURST; i++)); do echo "burst-$i $NOW_US" >>"$work/renames"; done
echo "run burst" >>"$work/burst.trace"
wait_task_starts "$ns_agent" "$BURST" "$work/burst.trace"
burst_ms=$(((LAST_START_US - NOW_US) / 1000))
sleep 1 # let the agent finish the status updates that follow the starts
read -r rss_kib hwm_kib anon_kib file_kib < <(agent_memory)
threads=$(awk '/^Threads:/ {print $2}' "/proc/$agent_pid/status")
running_listed=$(nodectl_ pods -o json | grep -c '"running"' || true)
rm -f "$manifests"/burst-*.yaml
wait_pods_gone

# ---------------------------------------------------------------- report
read -r p50_1 p99_1 min_1 max_1 < <(percentiles "$work/lat1")
read -r p50_2 p99_2 min_2 max_2 < <(percentiles "$work/lat2")
read -r p50_c p99_c min_c max_c < <(percentiles "$work/latctr")
read -r p50_l p99_l min_l max_l < <(percentiles "$work/latctrlog")
if ((NETWORK_SERIES)); then
  read -r p50_n p99_n min_n max_n < <(percentiles "$work/latnet")
  net_cost=$(awk -v a="$p50_n" -v b="$p50_1" 'BEGIN {printf "%.1f", a - b}')
fi
ratio=$(awk -v a="$p50_1" -v b="$p50_c" 'BEGIN {printf "%.2f", a / b}')
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? "pass" : "MISS"}'; }

echo
echo "Pod start, nodeagent $(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo '?'), containerd $(containerd --version | awk '{print $3}'), $(nproc) CPUs, $(date -u +%FT%TZ)"
((NO_DEBOUNCE)) && echo "EXPERIMENT: manifest source debounce disabled by LD_PRELOAD (no_debounce_preload.c); not the agent as shipped"
echo "end point: containerd /tasks/start event of the pod's last container (timestamp by containerd);"
echo "start point: just before rename(2) of the manifest into the manifest dir / before exec of ctr."
echo
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' measure p50_ms p99_ms min_ms max_ms n target result
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "1-container pod: rename -> running" "$p50_1" "$p99_1" "$min_1" "$max_1" "$RUNS" "-" "-"
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "2-container pod: rename -> all running" "$p50_2" "$p99_2" "$min_2" "$max_2" "$RUNS" "-" "-"
if ((NETWORK_SERIES)); then
  printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "1-container pod with pod networking" "$p50_n" "$p99_n" "$min_n" "$max_n" "$RUNS" "-" "-"
  printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "  what networking adds (p50 difference)" "$net_cost" "" "" "" "" "-" "-"
fi
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "ctr run -d (floor): exec -> running" "$p50_c" "$p99_c" "$min_c" "$max_c" "$RUNS" "-" "-"
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "ctr run -d with nodeagent-logger (info)" "$p50_l" "$p99_l" "$min_l" "$max_l" "$RUNS" "-" "-"
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "ratio 1-container p50 / ctr run p50" "$ratio" "" "" "" "" "<= $TARGET_RATIO" "$(verdict "$ratio" "$TARGET_RATIO")"
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "$BURST pods at once: rename -> all running" "$burst_ms" "" "" "" "1" "<= $TARGET_BURST_MS ms" "$(verdict "$burst_ms" "$TARGET_BURST_MS")"
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "agent VmRSS with $BURST pods (MiB)" "$(awk -v k="$rss_kib" 'BEGIN {printf "%.1f", k/1024}')" "" "" "" "" "<= 40 MiB" "$(verdict "$rss_kib" "$TARGET_RSS_KIB")"
printf '%-44s %9s %9s %9s %9s %5s %12s %6s\n' "agent VmHWM, whole run (MiB)" "$(awk -v k="$hwm_kib" 'BEGIN {printf "%.1f", k/1024}')" "" "" "" "" "<= 40 MiB" "$(verdict "$hwm_kib" "$TARGET_RSS_KIB")"
echo "(p99 of $RUNS samples is nearest-rank: with < 100 runs it is the largest or second largest.)"
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
echo "agent memory (MiB): idle, no pods: VmRSS $(mib "$idle_rss") = RssAnon $(mib "$idle_anon") + RssFile $(mib "$idle_file");" \
  "with $BURST pods: VmRSS $(mib "$rss_kib") = RssAnon $(mib "$anon_kib") + RssFile $(mib "$file_kib") (+ RssShmem)"
echo "agent threads with $BURST pods: $threads; containers nodectl listed as running 1 s after the last start: $running_listed"

# ---------------------------------------------------------------- where the time goes
# Median time, from the rename (or the exec of ctr), at which containerd published each event of
# the run: the k-th occurrence of a topic in a run is one step ("#2" = the second container).
phases() {
  awk '$1 == "run" { delete k; next } { print $2 "#" (++k[$2]), $1 }' "$1" | sort -k1,1 -k2,2n |
    awk '{ if ($1 != key) { flush(); key = $1; n = 0 } v[++n] = $2 }
         function flush() { if (n) printf "%10.1f  %-24s (n=%d)\n", v[int((n + 1) / 2)] / 1000, key, n }
         END { flush() }' | sort -n
}
# From the agent log: when the pod's namespaces were made ("created namespaces uid="), relative to
# the rename; the uid is mapped to the manifest through the pod's own log lines.
sandbox_times() {
  awk -v renames="$work/renames" '
    BEGIN { while ((getline l < renames) > 0) { split(l, f, " "); t0[f[1]] = f[2] } }
    function us(ts,   d, h, m, s) {  # 2026-11-25T08:36:39.123456Z -> microseconds of the day
      split(substr(ts, 12, 15), d, ":"); return ((d[1] * 60 + d[2]) * 60 + d[3]) * 1000000
    }
    /created namespaces uid=/ { match($0, /uid=[^ ]+/); made[substr($0, RSTART + 4, RLENGTH - 4)] = us($1) }
    / pod=[^ ]+ uid=/ { match($0, /uid=[^ ]+/); u = substr($0, RSTART + 4, RLENGTH - 4); if (!(u in first)) first[u] = us($1) }
    / pod=[^ ]+ uid=/ {
      match($0, /pod=[^ ]+/); name = substr($0, RSTART + 4, RLENGTH - 4); sub(/^[^\/]*\//, "", name)
      match($0, /uid=[^ ]+/); uid = substr($0, RSTART + 4, RLENGTH - 4)
      for (m in t0) if (index(name, m "-") == 1 || name == m) pod_of[uid] = m
    }
    END {
      for (uid in made) if (uid in pod_of) {
        m = pod_of[uid]; split(m, p, "-"); day0 = t0[m] % 86400000000
        print p[1], "sandbox", made[uid] - day0
        if (uid in first) print p[1], "first", first[uid] - day0
      }
    }' "$work/agent.log"
}

echo
echo "Where the time goes: median ms after the rename (ctr: after exec) at which each step was seen"
echo "(containerd events; 'namespaces made' from the agent log: netns/ipc/uts + pod dirs, before any containerd call)."
series_list=(lat1:"1-container pod" lat2:"2-container pod" latctr:"ctr run -d" latctrlog:"ctr run -d with nodeagent-logger")
((NETWORK_SERIES)) && series_list+=(latnet:"1-container pod with pod networking")
for series in "${series_list[@]}"; do
  f=${series%%:*}
  echo "  $f (${series#*:}):"
  if [[ $f == lat[12] ]]; then
    # Same format as the traces, so that phases() gives their medians too.
    sandbox_times | awk -v want="$([[ $f == lat1 ]] && echo p1 || echo p2)" '$1 == want {
      print "run agent"; print $3, ($2 == "first" ? "agent:first-pod-log-line" : "agent:namespaces-made") }' >"$work/$f.agent"
    cat "$work/$f.agent" "$work/$f.trace" >"$work/$f.all"
  else
    cp "$work/$f.trace" "$work/$f.all"
  fi
  phases "$work/$f.all" | sed 's/^/    /'
done
echo "  $BURST pods at once (times of the first and last of each step):"
awk '$1 != "run" { if (!($2 in first)) first[$2] = $1; last[$2] = $1; n[$2]++ }
     END { for (t in n) printf "    %-20s first %8.1f ms  last %8.1f ms  (n=%d)\n", t, first[t] / 1000, last[t] / 1000, n[t] }' \
  "$work/burst.trace" | sort -k3 -n
