#!/usr/bin/env bash
# Probe load, nodeagent beside upstream kubelet on one real control plane (issue 15's benchmark):
# prints figures, not a verdict (it is not part of ctest).
#
#   cmake --build build --target nodeagent nodectl nodeagent-logger nodeagent-pause
#   sudo bench/probes/probe_load_bench.sh [--pods 100] [--seconds 60] [--settle 30]
#                                         [--agents "na kl"] [--nice -10] [--build-dir build] [--keep-logs DIR]
#
# One control plane (scripts/controlplane/cluster.sh, name prbench) and one node at a time, each
# in a node netns of its own with a containerd of its own, as bench/cluster/cluster_bench.sh:
# first nodeagent (node pb-na), then upstream kubelet v1.37.2 (node pb-kl, upstream_kubelet.sh).
# On each, two phases with the same Deployment of PODS pods (6 busybox containers each):
#   baseline  no probes;
#   probes    container `web` runs probe-target-server (probe_target_server.c: one epoll loop,
#             no fork per connection, unlike busybox httpd) on :8080 and has an exec readinessProbe
#             (period 10 s); containers p1..p5 (sleep) each have an httpGet startupProbe (runs
#             until its first success), livenessProbe and readinessProbe (period 1 s) on :8080:
#             10 httpGet probes/s and 0.1 exec probe/s per pod, 1,000 and 10 per second at 100.
#             Liveness and startup have failureThreshold 300: while 600 containers start on 2
#             cores the server can miss the 1 s timeout, and with the defaults the kills and
#             restarts fed the storm (seen with httpd: most pods in Error after 6 min).
# After every pod is Ready and SETTLE s, the agent's own process is sampled once a second for
# SECONDS s: utime+stime (/proc/PID/stat, CPU time of the process, not wall time and not its
# containerd's: the machine is shared), the sum of its threads' on-CPU ns (/proc/PID/task/*/
# schedstat, for 1 s samples finer than stat's 10 ms ticks) and VmRSS. The probes run in the
# window are counted on the serving side, the same way for both agents: TCP PassiveOpens of each
# pod's netns (/proc/HTTPD/net/snmp) and the lines the exec probe appends to /tmp/execs.
# The table gives each phase, probes minus baseline (the probes' cost) and the ratio na/kl.
# Both agents run at nice -10 (--nice): on 2 cores shared with other builds, 600 containers'
# shims, 1,000 connections/s to wake 100 servers and 10 runc execs/s, a nice-0 prober thread
# waited 91 % of the time on the run queue (schedstat), ran late, timed out, flapped readiness
# and the status churn that followed kept the machine saturated. Priority changes when the
# agent runs, not how much CPU time a probe takes.
# Everything (pods, agents, containerds, shims, netns, mounts, cgroups, the control plane) is
# removed on exit, also on failure or Ctrl-C, and at start if a run before died.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
PODS=${PODS:-100} SECONDS_=${SECONDS_:-60} SETTLE=${SETTLE:-30} AGENTS=${AGENTS:-"na kl"} AGENT_NICE=${AGENT_NICE:--10}
BUILD_DIR=${BUILD_DIR:-$repo/build} KEEP_LOGS=${KEEP_LOGS:-}
while (($#)); do
  case $1 in
  --pods) PODS=$2; shift 2 ;;
  --seconds) SECONDS_=$2; shift 2 ;;
  --settle) SETTLE=$2; shift 2 ;;
  --agents) AGENTS=$2; shift 2 ;;
  --nice) AGENT_NICE=$2; shift 2 ;;
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  --keep-logs) KEEP_LOGS=$2; shift 2 ;;
  *) sed -n '5,6p' "$0" >&2; exit 2 ;;
  esac
done
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

readonly CP=prbench                       # cluster.sh names are at most 10 characters
readonly WORK=/tmp/na-probe-load-bench
readonly NA_NODE=pb-na NA_NETNS=napb-na NA_IP=10.250.0.41 NA_CGROUP=napb-na
readonly KL_NODE=pb-kl KL_NETNS=napb-kl KL_IP=10.250.0.42 KL_CGROUP=napb-kl
readonly IMAGE=docker.io/library/probe-target:latest  # busybox + probe-target-server
readonly HTTP_CONTAINERS=5                # p1..p5: liveness + readiness each = 10 probes/s per pod
cluster=$repo/scripts/controlplane/cluster.sh
export UK_CGROUP_ROOT=$KL_CGROUP
# shellcheck source=../cluster/upstream_kubelet.sh
. "$repo/bench/cluster/upstream_kubelet.sh"

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "probe_load_bench: $*"; exit 1; }
kc() { "$cluster" kubectl --name $CP "$@"; }
# bg CMD...: CMD in the background and `wait` for it, so that INT/TERM reach the trap at once
# (bash runs traps only after a foreground command ends).
bg_pid=
bg() { "$@" & bg_pid=$!; wait $bg_pid; }

[[ $(id -u) == 0 ]] || die "needs root"
for b in nodeagent nodectl nodeagent-logger; do
  [[ -x $BUILD_DIR/bin/$b ]] || die "$BUILD_DIR/bin/$b missing (see the top of $0)"
done
for tool in jq curl ctr containerd gcc umoci; do command -v $tool >/dev/null || die "$tool missing (scripts/install-deps.sh)"; done
[[ -x $UK_CNI_BIN/bridge && -x $UK_CNI_BIN/host-local && -x $UK_CNI_BIN/loopback ]] ||
  die "CNI plugins missing in $UK_CNI_BIN (containernetworking-plugins, scripts/install-deps.sh)"

# ---------------------------------------------------------------- cleanup (idempotent)
na_stop() { # pods must be gone already; the agent, its containerd, shims, cgroups
  local sock=$WORK/na/containerd/containerd.sock pid
  uk_stop_pid "$WORK/na/agent.pid"
  for pid in $(pgrep -f -- "-address $sock" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  "$repo/scripts/private-containerd.sh" stop "$WORK/na/containerd" >/dev/null 2>&1 || true
  uk_cgroups_remove "$NA_CGROUP"
}
cleanup() {
  set +e
  trap - EXIT INT TERM
  [[ -n $bg_pid ]] && kill -TERM "$bg_pid" 2>/dev/null
  if [[ -d $WORK && -n $KEEP_LOGS ]]; then
    mkdir -p "$KEEP_LOGS"
    cp -f "$WORK"/na/agent.log "$WORK"/kl/kubelet.log "$WORK"/kl/containerd/containerd.log "$WORK"/*.samples \
      "$WORK"/report.txt "$KEEP_LOGS"/ 2>/dev/null
  fi
  # Pods through the API first, while the agent runs: it tears down its own pods.
  if "$cluster" status --name $CP >/dev/null 2>&1; then
    kc delete deployment -l pbench --wait=false >/dev/null 2>&1
    kc delete pods -l pbench --grace-period=1 --wait=true --timeout=180s >/dev/null 2>&1
  fi
  na_stop
  uk_cleanup "$WORK/kl"
  if [[ -d $WORK ]]; then
    { grep -o " $WORK/[^ ]*" /proc/self/mountinfo || true; } | sed 's/^ //' | awk '{print length, $0}' | sort -rn |
      cut -d' ' -f2- | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  fi
  "$cluster" down --name $CP >/dev/null 2>&1
  local ns
  for ns in $NA_NETNS $KL_NETNS; do ip netns delete "$ns" 2>/dev/null; done
  rm -rf "$WORK"
  return 0
}
cleanup
trap 'cleanup' EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/na" "$WORK/kl"

# ---------------------------------------------------------------- control plane, netns, images
log "building / finding the control plane and kubelet (scripts/controlplane/build.sh --with-node)"
BIN=$("$repo/scripts/controlplane/build.sh" --with-node | tail -n 1)
export UK_BIN=$BIN NODEAGENT_CP_BIN=$BIN
log "cluster.sh up --name $CP"
"$cluster" up --name $CP >/dev/null
for ns in $NA_NETNS $KL_NETNS; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
"$cluster" connect --name $CP $NA_NETNS $NA_IP
"$cluster" connect --name $CP $KL_NETNS $KL_IP
na_kubeconfig=$("$cluster" node-kubeconfig --name $CP $NA_NODE | tail -n 1)
kl_kubeconfig=$("$cluster" node-kubeconfig --name $CP $KL_NODE | tail -n 1)
"$repo/test/fixtures/images/build-test-image.sh" "$WORK/busybox.tar"
# The busybox test image plus /bin/probe-target-server (gcc -static), as one OCI archive.
target_image() {
  local w=$WORK/image
  mkdir -p "$w/oci" && tar -C "$w/oci" -xf "$WORK/busybox.tar"
  umoci unpack --image "$w/oci:latest" "$w/bundle" >/dev/null
  gcc -static -O2 -Wall -Wextra -Werror -o "$w/bundle/rootfs/bin/probe-target-server" "$here/probe_target_server.c"
  umoci repack --image "$w/oci:latest" "$w/bundle"
  umoci gc --layout "$w/oci"
  tar -C "$w/oci" -cf "$WORK/target.tar" . && rm -rf "$w"
}
target_image
uk_pause_image "$WORK/pause.tar"

# ---------------------------------------------------------------- the agents
agent_pid=
na_start() {
  log "starting nodeagent as $NA_NODE"
  na_sock=$("$repo/scripts/private-containerd.sh" start "$WORK/na/containerd")
  export NODEAGENT_SOCKET=$WORK/na/nodeagent.sock
  nice -n "$AGENT_NICE" setsid nsenter --net=/run/netns/$NA_NETNS -- "$BUILD_DIR/bin/nodeagent" \
    --kubeconfig "$na_kubeconfig" --hostname-override $NA_NODE --node-ip $NA_IP --cluster-cidr 10.244.0.0/16 \
    --root-dir "$WORK/na/root" --pod-log-dir "$WORK/na/logs" --api-socket "$NODEAGENT_SOCKET" \
    --container-runtime-endpoint "unix://$na_sock" --containerd-namespace napb --cgroup-root /$NA_CGROUP \
    --max-pods 110 --cluster-dns 10.96.0.10 --no-proxy --log-level info >"$WORK/na/agent.log" 2>&1 </dev/null &
  echo $! >"$WORK/na/agent.pid"
  for _ in $(seq 100); do "$BUILD_DIR/bin/nodectl" version >/dev/null 2>&1 && break; sleep 0.2; done
  "$BUILD_DIR/bin/nodectl" import "$WORK/target.tar" --name $IMAGE >/dev/null
  agent_pid=$(cat "$WORK/na/agent.pid") agent_sock=$na_sock agent_cgroup=$NA_CGROUP
}
kl_start() {
  log "starting kubelet $("$BIN/kubelet" --version 2>/dev/null) as $KL_NODE"
  uk_containerd_start "$WORK/kl" $KL_NETNS >/dev/null
  kl_sock=$WORK/kl/containerd/containerd.sock
  uk_import "$WORK/kl" "$WORK/pause.tar" "$UK_SANDBOX_IMAGE"
  uk_import "$WORK/kl" "$WORK/target.tar" $IMAGE
  # The subshell's nice value is kubelet's (containerd, started above, keeps 0).
  (renice -n "$AGENT_NICE" -p $BASHPID >/dev/null && uk_kubelet_start "$WORK/kl" $KL_NETNS $KL_NODE $KL_IP "$kl_kubeconfig" --v=1)
  agent_pid=$(uk_kubelet_pid "$WORK/kl") agent_sock=$kl_sock agent_cgroup=$KL_CGROUP
}
wait_node() { # NODE: registered (kubectl wait fails at once on a Node not there yet), then Ready
  local i
  for ((i = 0; i < 120; i++)); do kc get "node/$1" >/dev/null 2>&1 && break; sleep 1; done
  kc wait --for=condition=Ready "node/$1" --timeout=120s >/dev/null ||
    { tail -n 30 "$WORK/na/agent.log" "$WORK/kl/kubelet.log" >&2 2>/dev/null; die "node $1 not Ready"; }
}

# ---------------------------------------------------------------- the workload
deployment_yaml() { # NAME NODE MODE(baseline|probes)
  local c
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: default, labels: {pbench: "$3"}}
spec:
  replicas: $PODS
  selector: {matchLabels: {app: $1}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: $1, pbench: "$3"}}
    spec:
      nodeSelector: {kubernetes.io/hostname: $2}
      terminationGracePeriodSeconds: 1
      enableServiceLinks: false
      automountServiceAccountToken: false
      containers:
      - name: web
        image: $IMAGE
        imagePullPolicy: Never
        command: [probe-target-server, "8080"]
        ports: [{name: http, containerPort: 8080}]
YAML
  [[ $3 == probes ]] && cat <<'YAML'
        readinessProbe: {exec: {command: [sh, -c, 'echo >>/tmp/execs']}, periodSeconds: 10}
YAML
  for ((c = 1; c <= HTTP_CONTAINERS; c++)); do
    cat <<YAML
      - name: p$c
        image: $IMAGE
        imagePullPolicy: Never
        command: [sleep, "36000"]
YAML
    [[ $3 == probes ]] && cat <<'YAML'
        startupProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1, failureThreshold: 300}
        livenessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1, failureThreshold: 300}
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
YAML
  done
  return 0
}

# ---------------------------------------------------------------- counting and sampling
# One probe-target-server per pod netns of this agent's cgroup.
server_pids() {
  local pid seen="" ns
  for pid in $(pgrep -x probe-target-se 2>/dev/null); do   # comm: 15 characters
    grep -q "/$agent_cgroup/" "/proc/$pid/cgroup" 2>/dev/null || continue
    ns=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || continue
    [[ " $seen " == *" $ns "* ]] && continue
    seen+=" $ns"; echo "$pid"
  done
}
# Sum over PIDS of TCP PassiveOpens of their netns, and of the exec probes' lines in /tmp/execs.
served() {
  local opens=0 execs=0 pid v
  for pid in "$@"; do
    v=$(awk '/^Tcp:/ {n++; if (n == 1) for (i = 1; i <= NF; i++) {if ($i == "PassiveOpens") c = i} else print $c}' \
      "/proc/$pid/net/snmp" 2>/dev/null) || v=0
    opens=$((opens + ${v:-0}))
    v=$({ wc -l <"/proc/$pid/root/tmp/execs"; } 2>/dev/null) || v=0
    execs=$((execs + ${v:-0}))
  done
  echo "$opens $execs"
}
ticks_of() { awk '{sub(/^.*\) /, ""); t += $12 + $13} END {print t + 0}' /dev/null "$@" 2>/dev/null || echo 0; }
sched_ns() { cat "/proc/$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
shim_pids() { pgrep -f -- "-address $1" 2>/dev/null || true; }
# sample PID SOCK SECONDS OUT: one line a second: epoch, agent ticks, agent ns, agent VmRSS KiB,
# ticks of its containerd + shims.
sample() {
  local pid=$1 sock=$2 n=$3 out=$4 ctd i next others
  ctd=$(cat "$(dirname "$sock")/containerd.pid")
  : >"$out"
  next=${EPOCHREALTIME/./}
  for ((i = 0; i <= n; i++)); do
    # shellcheck disable=SC2046
    others=$(ticks_of $(for p in $ctd $(shim_pids "$sock"); do echo "/proc/$p/stat"; done))
    echo "$EPOCHREALTIME $(ticks_of "/proc/$pid/stat") $(sched_ns "$pid") $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status") $others" >>"$out"
    ((i == n)) && break
    next=$((next + 1000000))
    local now=${EPOCHREALTIME/./} d
    d=$((next - now)); ((d > 0)) && sleep "$(awk -v d=$d 'BEGIN {printf "%.6f", d / 1e6}')"
  done
  return 0
}
# stats FILE: p50 and mean of the 1 s CPU samples (cores), from ticks and from ns; p50 and max of
# VmRSS (MiB); containerd + shims mean (cores).
stats() {
  awk -v hz="$(getconf CLK_TCK)" '
    NR > 1 {dt = $1 - t; ct[++n] = ($2 - k) / hz / dt; cn[n] = ($3 - s) / 1e9 / dt; r[n] = $4 / 1024}
    NR == 1 {t0 = $1; k0 = $2; o0 = $5}
    {t = $1; k = $2; s = $3; o = $5}
    function p50(a, n,   i, j, x, b) { # insertion sort (mawk has no asort); n is about 60
      for (i = 1; i <= n; i++) {x = a[i]; for (j = i - 1; j >= 1 && b[j] > x; j--) b[j + 1] = b[j]; b[j + 1] = x}
      return b[int((n + 1) / 2)]
    }
    END {
      rmax = 0; for (i = 1; i <= n; i++) if (r[i] > rmax) rmax = r[i]
      printf "%.4f %.4f %.4f %.1f %.1f %.4f %.1f\n", p50(ct, n), (k - k0) / hz / (t - t0), p50(cn, n),
        p50(r, n), rmax, (o - o0) / hz / (t - t0), t - t0
    }' "$1"
}

# run_phase WHO NODE MODE: applies the Deployment, waits until all pods are Ready, settles,
# samples, counts, deletes the pods. Leaves WORK/WHO-MODE.{samples,stats,served}.
run_phase() {
  local who=$1 node=$2 mode=$3 name=pb-$1-$3 t0 ready_s pids s0 s1
  log "$who/$mode: Deployment of $PODS pods on $node"
  deployment_yaml "$name" "$node" "$mode" >"$WORK/$name.yaml"
  t0=$SECONDS
  kc apply -f "$WORK/$name.yaml" >/dev/null
  bg kc rollout status "deployment/$name" --timeout=1200s >/dev/null || {
    kc get pods -l app="$name" -o wide | grep -v ' Running ' | head >&2; die "$name did not become ready"; }
  ready_s=$((SECONDS - t0))
  log "$who/$mode: all $PODS pods Ready after ${ready_s} s; settling ${SETTLE} s"
  sleep "$SETTLE"
  mapfile -t pids < <(server_pids)
  ((${#pids[@]} == PODS)) || log "warning: found ${#pids[@]} server netns for $PODS pods"
  local restarts0 unhealthy0; restarts0=$(restarts "$name"); unhealthy0=$(unhealthy "$node")
  log "$who/$mode: sampling agent pid $agent_pid ($(cat "/proc/$agent_pid/comm")) for $SECONDS_ s"
  local w0 w1 secs
  w0=$EPOCHREALTIME; s0=$(served "${pids[@]}")
  sample "$agent_pid" "$agent_sock" "$SECONDS_" "$WORK/$who-$mode.samples"
  w1=$EPOCHREALTIME; s1=$(served "${pids[@]}")
  stats "$WORK/$who-$mode.samples" >"$WORK/$who-$mode.stats"
  secs=$(awk -v a="$w0" -v b="$w1" 'BEGIN {print b - a}')
  awk -v a="$s0" -v b="$s1" -v secs="$secs" -v r0="$restarts0" -v r1="$(restarts "$name")" -v ready="$ready_s" \
    -v u0="$unhealthy0" -v u1="$(unhealthy "$node")" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "%.1f %.2f %d %d %d\n", (y[1] - x[1]) / secs, (y[2] - x[2]) / secs, r1 - r0, ready, u1 - u0}' >"$WORK/$who-$mode.served"
  log "$who/$mode: cpu p50/mean, ns p50, rss p50/max, ctd: $(cat "$WORK/$who-$mode.stats"); http/s, exec/s, restarts, ready s, failures: $(cat "$WORK/$who-$mode.served")"
  bg kc delete deployment "$name" --wait=true --timeout=300s >/dev/null
  bg kc wait --for=delete pod -l app="$name" --timeout=600s >/dev/null 2>&1 || true
}
# Probe failures so far on NODE: the counts of its Unhealthy events (kubelet's and nodeagent's
# recorders both aggregate repeats into one event's count).
unhealthy() {
  kc get events --field-selector reason=Unhealthy -o json |
    jq --arg n "$1" '[.items[] | select((.source.host // .reportingInstance // "") == $n) | (.count // .series.count // 1)] | add // 0'
}
restarts() { kc get pods -l app="$1" -o jsonpath='{range .items[*]}{range .status.containerStatuses[*]}{.restartCount}{"\n"}{end}{end}' | awk '{s += $1} END {print s + 0}'; }

# ---------------------------------------------------------------- the runs
for who in $AGENTS; do
  case $who in
  na) na_start; node=$NA_NODE ;;
  kl) kl_start; node=$KL_NODE ;;
  *) die "unknown agent $who (na, kl)" ;;
  esac
  wait_node $node
  run_phase "$who" $node baseline
  run_phase "$who" $node probes
  case $who in
  na) na_stop ;;
  kl) uk_cleanup "$WORK/kl" ;;
  esac
done

# ---------------------------------------------------------------- report
field() { awk -v i="$2" '{print $i}' "$WORK/$1" 2>/dev/null || echo -; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 > 0 && a != "-") printf "%.2f", a / b; else print "-"}'; }
diff_() { awk -v a="$1" -v b="$2" -v f="${3:-%.4f}" 'BEGIN {if (a == "-" || b == "-") print "-"; else printf f, a - b}'; }
pct() { awk -v a="$1" 'BEGIN {if (a == "-") print "-"; else printf "%.2f %%", a * 100}'; }
row() { printf '| %s | %s | %s | %s |\n' "$@"; }
{
  echo
  echo "$("$BUILD_DIR/bin/nodeagent" --version 2>/dev/null | head -n 1) (commit $(git -C "$repo" rev-parse --short HEAD)) vs $("$BIN/kubelet" --version 2>/dev/null)"
  echo "containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR == 1 {print $3}'), $(busybox 2>&1 | head -n 1 | awk '{print $1, $2}') image; $(nproc) cores; $(date -u '+%F %T UTC')"
  echo "$PODS pods x (1 probe-target-server + $HTTP_CONTAINERS sleep containers); probes: $((PODS * 2 * HTTP_CONTAINERS)) httpGet period 1 s + $PODS exec period 10 s; ${SECONDS_} s of 1 s samples, ${SETTLE} s after all Ready"
  echo "CPU is the agent process's CPU time (utime+stime), in cores; 1 core = 100 %. Agents at nice $AGENT_NICE."
  echo
  row "measure" "nodeagent" "kubelet" "na/kl"
  row "---" "---:" "---:" "---:"
  for mode in probes baseline; do
    row "HTTP probes / s served, $mode" "$(field na-$mode.served 1)" "$(field kl-$mode.served 1)" ""
  done
  row "exec probes / s run, probes" "$(field na-probes.served 2)" "$(field kl-probes.served 2)" ""
  row "container restarts in the window, probes" "$(field na-probes.served 3)" "$(field kl-probes.served 3)" ""
  row "probe failures in the window, probes (Unhealthy event counts; a lower bound: recorders rate-limit)" "$(field na-probes.served 5)" "$(field kl-probes.served 5)" ""
  row "apply → all $PODS Ready, baseline / probes" "$(field na-baseline.served 4) / $(field na-probes.served 4) s" \
    "$(field kl-baseline.served 4) / $(field kl-probes.served 4) s" ""
  for what in "1 CPU p50 (stat, 1 s samples)" "2 CPU mean (stat)" "3 CPU p50 (schedstat ns, 1 s samples)"; do
    i=${what%% *}; label=${what#* }
    for mode in probes baseline; do
      a=$(field na-$mode.stats "$i"); b=$(field kl-$mode.stats "$i")
      row "agent $label, $mode" "$(pct "$a")" "$(pct "$b")" "$(ratio "$a" "$b")"
    done
    a=$(diff_ "$(field na-probes.stats "$i")" "$(field na-baseline.stats "$i")")
    b=$(diff_ "$(field kl-probes.stats "$i")" "$(field kl-baseline.stats "$i")")
    row "**probe cost**: $label, probes − baseline" "**$(pct "$a")**" "**$(pct "$b")**" "$(ratio "$a" "$b")"
  done
  a=$(diff_ "$(field na-probes.stats 2)" "$(field na-baseline.stats 2)")
  b=$(diff_ "$(field kl-probes.stats 2)" "$(field kl-baseline.stats 2)")
  na_http=$(awk '{print $1 + $2}' "$WORK/na-probes.served" 2>/dev/null || echo -)
  kl_http=$(awk '{print $1 + $2}' "$WORK/kl-probes.served" 2>/dev/null || echo -)
  us() { awk -v c="$1" -v n="$2" 'BEGIN {if (c == "-" || n + 0 == 0) print "-"; else printf "%.1f µs", c / n * 1e6}'; }
  row "agent CPU per probe run (mean cost / (HTTP + exec) probes per s)" "$(us "$a" "$na_http")" "$(us "$b" "$kl_http")" ""
  for mode in probes baseline; do
    a=$(field na-$mode.stats 4); b=$(field kl-$mode.stats 4)
    row "agent VmRSS p50 (max), $mode" "$a ($(field na-$mode.stats 5)) MiB" "$b ($(field kl-$mode.stats 5)) MiB" "$(ratio "$a" "$b")"
  done
  a=$(diff_ "$(field na-probes.stats 4)" "$(field na-baseline.stats 4)" %.1f)
  b=$(diff_ "$(field kl-probes.stats 4)" "$(field kl-baseline.stats 4)" %.1f)
  row "agent VmRSS p50, probes − baseline" "$a MiB" "$b MiB" ""
  for mode in probes baseline; do
    a=$(field na-$mode.stats 6); b=$(field kl-$mode.stats 6)
    row "its containerd + shims CPU mean, $mode (not the agent's)" "$(pct "$a")" "$(pct "$b")" "$(ratio "$a" "$b")"
  done
} | tee "$WORK/report.txt"
[[ -n $KEEP_LOGS ]] && { mkdir -p "$KEEP_LOGS"; cp "$WORK/report.txt" "$WORK"/*.samples "$WORK"/*.stats "$WORK"/*.served "$KEEP_LOGS"/; }
log "cleaning up"
