#!/usr/bin/env bash
# nodeagent beside upstream kubelet (same release as the control plane, built from the same
# module) on one real control plane: prints figures, not a verdict (it is not part of ctest).
#
#   cmake -S . -B build -G Ninja && cmake --build build --target nodeagent nodectl nodeagent-logger
#   sudo bench/cluster/cluster_bench.sh [--runs 50] [--burst 30] [--steady 100] [--window 180]
#                                        [--build-dir build] [--keep-logs DIR]
#
# Two nodes join the control plane of scripts/controlplane/cluster.sh (name clbench): cb-na
# (nodeagent) and cb-kl (kubelet), each in a node netns of its own on the control-plane bridge,
# each with a containerd of its own (nodeagent's without CRI, as scripts/private-containerd.sh;
# kubelet's with CRI and Debian's CNI bridge plugin, see upstream_kubelet.sh). Measured:
#  1. `kubectl apply` of one pod → the pod's phase Running as the API server sends it on a watch
#     (curl watch → jq, each event stamped with $EPOCHREALTIME as it arrives): RUNS pods one at
#     a time per node, interleaved na/kl so machine load hits both alike; p50 / p99;
#  2. BURST pods in one `kubectl apply` → all Running (and their p50);
#  3. a Deployment of STEADY replicas per node (both at once), then after SETTLE s (120: kubelet
#     patches each pod's status a last time about a minute after it started) a WINDOW s
#     window: API requests per minute of each node's identity (kube-apiserver audit log,
#     RequestReceived stage, user system:node:<node>), CPU of agent and containerd
#     (/proc/PID/stat utime+stime), VmRSS of the agent, Pss of containerd, shims, loggers.
# Everything (pods, agents, containerds, shims, netns, mounts, cgroups, the control plane) is
# removed on exit, also on failure or Ctrl-C, and at start if a run before died.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-50} BURST=${BURST:-30} STEADY=${STEADY:-100} SETTLE=${SETTLE:-120} WINDOW=${WINDOW:-180}
BUILD_DIR=${BUILD_DIR:-$repo/build} KEEP_LOGS=${KEEP_LOGS:-}
while (($#)); do
  case $1 in
  --runs) RUNS=$2; shift 2 ;;
  --burst) BURST=$2; shift 2 ;;
  --steady) STEADY=$2; shift 2 ;;
  --settle) SETTLE=$2; shift 2 ;;
  --window) WINDOW=$2; shift 2 ;;
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  --keep-logs) KEEP_LOGS=$2; shift 2 ;;
  *) sed -n '5,7p' "$0" >&2; exit 2 ;;
  esac
done
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

readonly CP=clbench                       # cluster.sh names are at most 10 characters
readonly WORK=/tmp/na-cluster-bench
readonly NA_NODE=cb-na NA_NETNS=nacb-na NA_IP=10.250.0.31 NA_CGROUP=nacb-na
readonly KL_NODE=cb-kl KL_NETNS=nacb-kl KL_IP=10.250.0.32
readonly IMAGE=docker.io/library/busybox:latest
cluster=$repo/scripts/controlplane/cluster.sh
export UK_CGROUP_ROOT=nacb-kl
# shellcheck source=upstream_kubelet.sh
. "$here/upstream_kubelet.sh"

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "cluster_bench: $*"; exit 1; }
kc() { "$cluster" kubectl --name $CP "$@"; }

[[ $(id -u) == 0 ]] || die "needs root"
for b in nodeagent nodectl nodeagent-logger; do
  [[ -x $BUILD_DIR/bin/$b ]] || die "$BUILD_DIR/bin/$b missing (see the top of $0)"
done
for tool in jq curl ctr containerd gcc umoci; do command -v $tool >/dev/null || die "$tool missing (scripts/install-deps.sh)"; done
[[ -x $UK_CNI_BIN/bridge && -x $UK_CNI_BIN/host-local && -x $UK_CNI_BIN/loopback ]] ||
  die "CNI plugins missing in $UK_CNI_BIN (containernetworking-plugins, scripts/install-deps.sh)"

# ---------------------------------------------------------------- cleanup (idempotent)
stop_pidfile() { uk_stop_pid "$1"; }
cleanup() {
  set +e
  trap - EXIT INT TERM
  [[ -n ${watch_pid:-} ]] && kill -- "-$watch_pid" 2>/dev/null
  if [[ -d $WORK && -n $KEEP_LOGS ]]; then
    mkdir -p "$KEEP_LOGS"
    cp -f "$WORK"/na/agent.log "$WORK"/kl/kubelet.log "$WORK"/kl/containerd/containerd.log "$WORK"/watch.log "$KEEP_LOGS"/ 2>/dev/null
    cp -f "$WORK"/audit.log "$KEEP_LOGS"/ 2>/dev/null
  fi
  # Pods through the API first, while both agents run: they tear down their own pods.
  if "$cluster" status --name $CP >/dev/null 2>&1; then
    kc delete deployment -l cbench --wait=false >/dev/null 2>&1
    kc delete pods -l cbench --grace-period=1 --wait=true --timeout=180s >/dev/null 2>&1
  fi
  stop_pidfile "$WORK/na/agent.pid"
  uk_cleanup "$WORK/kl"
  local sock=$WORK/na/containerd/containerd.sock pid
  for pid in $(pgrep -f -- "-address $sock" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  "$repo/scripts/private-containerd.sh" stop "$WORK/na/containerd" 2>/dev/null
  uk_cgroups_remove "$NA_CGROUP"
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

# ---------------------------------------------------------------- control plane with an audit log
log "building / finding the control plane and kubelet (scripts/controlplane/build.sh --with-node)"
BIN=$("$repo/scripts/controlplane/build.sh" --with-node | tail -n 1)
export UK_BIN=$BIN NODEAGENT_CP_BIN=$BIN
cat >"$WORK/audit-policy.yaml" <<'YAML'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [ResponseStarted]
rules:
- level: Metadata
  userGroups: ["system:nodes"]
- level: None
YAML
export NODEAGENT_CP_APISERVER_ARGS="--audit-policy-file=$WORK/audit-policy.yaml --audit-log-path=$WORK/audit.log --audit-log-format=json --audit-log-maxsize=2000"
log "cluster.sh up --name $CP"
"$cluster" up --name $CP >/dev/null
eval "$("$cluster" env --name $CP)"
pki=$NACP_DIR/pki
for ns in $NA_NETNS $KL_NETNS; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
"$cluster" connect --name $CP $NA_NETNS $NA_IP
"$cluster" connect --name $CP $KL_NETNS $KL_IP
na_kubeconfig=$("$cluster" node-kubeconfig --name $CP $NA_NODE | tail -n 1)
kl_kubeconfig=$("$cluster" node-kubeconfig --name $CP $KL_NODE | tail -n 1)

# ---------------------------------------------------------------- images
"$repo/test/fixtures/images/build-test-image.sh" "$WORK/busybox.tar"
uk_pause_image "$WORK/pause.tar"

# ---------------------------------------------------------------- nodeagent node
log "starting nodeagent as $NA_NODE"
na_sock=$("$repo/scripts/private-containerd.sh" start "$WORK/na/containerd")
export NODEAGENT_SOCKET=$WORK/na/nodeagent.sock
setsid nsenter --net=/run/netns/$NA_NETNS -- "$BUILD_DIR/bin/nodeagent" \
  --kubeconfig "$na_kubeconfig" --hostname-override $NA_NODE --node-ip $NA_IP --cluster-cidr 10.244.0.0/16 \
  --root-dir "$WORK/na/root" --pod-log-dir "$WORK/na/logs" --api-socket "$NODEAGENT_SOCKET" \
  --container-runtime-endpoint "unix://$na_sock" --containerd-namespace nacb --cgroup-root /$NA_CGROUP \
  --max-pods 110 --cluster-dns 10.96.0.10 --no-proxy --log-level info >"$WORK/na/agent.log" 2>&1 </dev/null &
echo $! >"$WORK/na/agent.pid"
for _ in $(seq 100); do "$BUILD_DIR/bin/nodectl" version >/dev/null 2>&1 && break; sleep 0.2; done
"$BUILD_DIR/bin/nodectl" import "$WORK/busybox.tar" --name $IMAGE >/dev/null

# ---------------------------------------------------------------- kubelet node
log "starting kubelet $("$BIN/kubelet" --version 2>/dev/null) as $KL_NODE"
uk_containerd_start "$WORK/kl" $KL_NETNS >/dev/null
uk_import "$WORK/kl" "$WORK/pause.tar" "$UK_SANDBOX_IMAGE"
uk_import "$WORK/kl" "$WORK/busybox.tar" $IMAGE
uk_kubelet_start "$WORK/kl" $KL_NETNS $KL_NODE $KL_IP "$kl_kubeconfig" --v=1

for n in $NA_NODE $KL_NODE; do
  # `kubectl wait` fails at once on an object that does not exist yet: wait for registration first.
  for _ in $(seq 120); do kc get node/$n >/dev/null 2>&1 && break; sleep 1; done
  kc wait --for=condition=Ready node/$n --timeout=120s >/dev/null ||
    { tail -n 30 "$WORK/na/agent.log" "$WORK/kl/kubelet.log" >&2; die "node $n not Ready"; }
done
log "both nodes Ready"

# ---------------------------------------------------------------- the watch
# One watch on every bench pod; each event is stamped when it arrives here.
# The API server ends a watch after 30-60 min: then it is opened again (a new watch starts with
# ADDED events of what exists; only the first Running of a pod counts). A session of its own, so
# that cleanup stops curl and jq with it (kill of the process group).
# shellcheck disable=SC2016
setsid bash -c '
  while true; do
    nsenter --net="$1" -- curl -sSN --noproxy "*" --cacert "$2" --cert "$3" --key "$4" \
      "https://127.0.0.1:6443/api/v1/pods?watch=true&labelSelector=cbench" |
      jq --unbuffered -r "[.type, .object.metadata.name, (.object.status.phase // \"-\")] | @tsv" |
      while IFS=$'"'"'\t'"'"' read -r type name phase; do echo "$EPOCHREALTIME $type $name $phase"; done
    sleep 0.2
  done' watch /run/netns/$NACP_NETNS "$CA" "$pki/admin.crt" "$pki/admin.key" >"$WORK/watch.log" 2>&1 </dev/null &
watch_pid=$!
sleep 1

pod_yaml() { # NAME NODE SERIES
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: default, labels: {cbench: "$3", node: $2}}
spec:
  nodeSelector: {kubernetes.io/hostname: $2}
  terminationGracePeriodSeconds: 1
  enableServiceLinks: false
  containers:
  - {name: main, image: $IMAGE, imagePullPolicy: Never, command: [sleep, "3600"]}
---
YAML
}
running_at() { awk -v n="$1" '$3 == n && $4 == "Running" {print $1; exit}' "$WORK/watch.log"; }
wait_running() { # NAME... → waits (up to 300 s) until all are Running
  local deadline=$((SECONDS + 300)) n
  for n in "$@"; do
    until [[ -n $(running_at "$n") ]]; do
      ((SECONDS < deadline)) || { log "pod $n not Running after 300 s"; kc get pod "$n" -o wide >&2; return 1; }
      sleep 0.05
    done
  done
}
ms_since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", (b - a) * 1000}'; }
# percentile P of the numbers in FILE (nearest rank)
pct() { sort -n "$2" | awk -v p="$1" '{v[NR] = $1} END {r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; print v[r]}'; }

# ---------------------------------------------------------------- 1. one pod at a time
log "1. $RUNS pods one at a time per node (interleaved)"
: >"$WORK/single-na.ms"; : >"$WORK/single-kl.ms"
for ((i = 1; i <= RUNS; i++)); do
  order="na kl"; ((i % 2)) || order="kl na"
  for who in $order; do
    node=$NA_NODE; [[ $who == kl ]] && node=$KL_NODE
    name=single-$who-$i
    t0=$EPOCHREALTIME
    pod_yaml "$name" "$node" single | kc apply -f - >/dev/null
    wait_running "$name"
    ms_since "$t0" "$(running_at "$name")" >>"$WORK/single-$who.ms"; echo >>"$WORK/single-$who.ms"
    kc delete pod "$name" --wait=true --timeout=120s >/dev/null
  done
done

# ---------------------------------------------------------------- 2. a burst
for who in na kl; do
  node=$NA_NODE; [[ $who == kl ]] && node=$KL_NODE
  log "2. $BURST pods at once on $node"
  names=()
  for ((i = 1; i <= BURST; i++)); do names+=("burst-$who-$i"); done
  for n in "${names[@]}"; do pod_yaml "$n" "$node" burst; done >"$WORK/burst-$who.yaml"
  t0=$EPOCHREALTIME
  kc apply -f "$WORK/burst-$who.yaml" >/dev/null
  wait_running "${names[@]}"
  : >"$WORK/burst-$who.ms"
  for n in "${names[@]}"; do ms_since "$t0" "$(running_at "$n")" >>"$WORK/burst-$who.ms"; echo >>"$WORK/burst-$who.ms"; done
  kc delete pods -l cbench=burst --wait=true --timeout=300s >/dev/null
done

# ---------------------------------------------------------------- 3. steady state
log "3. a Deployment of $STEADY pods per node"
for who in na kl; do
  node=$NA_NODE; [[ $who == kl ]] && node=$KL_NODE
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: steady-$who, namespace: default, labels: {cbench: steady}}
spec:
  replicas: $STEADY
  selector: {matchLabels: {app: steady-$who}}
  template:
    metadata: {labels: {app: steady-$who, cbench: steady}}
    spec:
      nodeSelector: {kubernetes.io/hostname: $node}
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: $IMAGE, imagePullPolicy: Never, command: [sleep, "36000"]}
---
YAML
done >"$WORK/steady.yaml"
declare -A ready_ms running
t0=$EPOCHREALTIME
kc apply -f "$WORK/steady.yaml" >/dev/null
for who in na kl; do
  kc rollout status deployment/steady-$who --timeout=600s >/dev/null || die "deployment steady-$who did not become ready"
  ready_ms[$who]=$(ms_since "$t0" "$EPOCHREALTIME")
done
for who in na kl; do
  running[$who]=$(kc get pods -l app=steady-$who --field-selector status.phase=Running -o name | wc -l)
done
log "all running (na ${running[na]}, kl ${running[kl]}); settling ${SETTLE} s"
sleep "$SETTLE"

na_pid=$(cat "$WORK/na/agent.pid"); kl_pid=$(uk_kubelet_pid "$WORK/kl")
na_ctd=$(cat "$WORK/na/containerd/containerd.pid"); kl_ctd=$(uk_containerd_pid "$WORK/kl")
ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
declare -A cpu0 cpu1
for p in $na_pid $kl_pid $na_ctd $kl_ctd; do cpu0[$p]=$(ticks "$p"); done
w0=$EPOCHREALTIME
log "measuring for $WINDOW s"
sleep "$WINDOW"
w1=$EPOCHREALTIME
for p in $na_pid $kl_pid $na_ctd $kl_ctd; do cpu1[$p]=$(ticks "$p"); done
hz=$(getconf CLK_TCK)
cpu_pct() { awk -v a="${cpu0[$1]}" -v b="${cpu1[$1]}" -v hz="$hz" -v t0="$w0" -v t1="$w1" 'BEGIN {printf "%.1f", (b - a) / hz / (t1 - t0) * 100}'; }
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# Where the agent's memory is, for --keep-logs: RSS (KiB) per mapping, largest first.
cp "/proc/$na_pid/status" "$WORK/na-status.txt"
awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6 == "" ? "[anon]" : $6} /^Rss:/ {rss[name] += $2}
     END {for (n in rss) print rss[n], n}' "/proc/$na_pid/smaps" | sort -rn >"$WORK/na-rss-by-mapping.txt"
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
sum_pss_mib() { local s=0 p; for p in "$@"; do s=$((s + $(pss_kib "$p"))); done; awk -v s=$s 'BEGIN {printf "%.1f", s / 1024}'; }
shims_of() { pgrep -f -- "-address $1" || true; }
loggers_of() { # nodeagent-logger processes whose parent is a shim of SOCKET
  local p; for p in $(shims_of "$1"); do pgrep -P "$p" -x nodeagent-logge || true; done
}
na_shims=$(shims_of "$WORK/na/containerd/containerd.sock"); kl_shims=$(shims_of "$WORK/kl/containerd/containerd.sock")
na_loggers=$(loggers_of "$WORK/na/containerd/containerd.sock")
# Requests per node identity in the window, from the audit log (one RequestReceived event per
# request, timestamps in UTC with microseconds).
audit_in_window() { # USER → one line per request: "verb resource[/subresource]"
  jq -r --arg u "$1" --argjson t0 "$w0" --argjson t1 "$w1" '
    select(.stage == "RequestReceived" and .user.username == $u)
    | (.requestReceivedTimestamp | capture("^(?<s>[^.Z]+)(?<f>\\.[0-9]+)?Z$")) as $ts
    | (($ts.s + "Z" | fromdateiso8601) + (($ts.f // "0") | tonumber)) as $t
    | select($t >= $t0 and $t < $t1)
    | "\(.verb) \(.objectRef.resource // .requestURI)\(if .objectRef.subresource then "/" + .objectRef.subresource else "" end)"' \
    "$WORK/audit.log"
}
rpm() { audit_in_window "$1" | wc -l | awk -v t0="$w0" -v t1="$w1" '{printf "%.1f", $1 / ((t1 - t0) / 60)}'; }
breakdown() { audit_in_window "$1" | sort | uniq -c | sort -rn; }

# ---------------------------------------------------------------- report
na_rpm=$(rpm system:node:$NA_NODE); kl_rpm=$(rpm system:node:$KL_NODE)
na_rss=$(rss_mib "$na_pid"); kl_rss=$(rss_mib "$kl_pid")
na_cpu=$(cpu_pct "$na_pid"); kl_cpu=$(cpu_pct "$kl_pid")
na_ctd_cpu=$(cpu_pct "$na_ctd"); kl_ctd_cpu=$(cpu_pct "$kl_ctd")
na_ctd_pss=$(sum_pss_mib "$na_ctd"); kl_ctd_pss=$(sum_pss_mib "$kl_ctd")
# shellcheck disable=SC2086
na_shim_pss=$(sum_pss_mib $na_shims); kl_shim_pss=$(sum_pss_mib $kl_shims)
# shellcheck disable=SC2086
na_logger_pss=$(sum_pss_mib $na_loggers)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
row() { printf '| %s | %s | %s | %s |\n' "$@"; }
{
  echo
  echo "$("$BUILD_DIR/bin/nodeagent" --version 2>/dev/null | head -n 1) vs $("$BIN/kubelet" --version 2>/dev/null); containerd $(containerd --version | awk '{print $3}')"
  echo "control plane $("$BIN/kube-apiserver" --version 2>/dev/null); $(nproc) cores; $(date -u '+%F %T UTC')"
  row "measure" "nodeagent" "kubelet" "na/kl"
  row "---" "---:" "---:" "---:"
  for s in single burst; do
    for p in 50 99; do
      a=$(pct $p "$WORK/$s-na.ms"); b=$(pct $p "$WORK/$s-kl.ms")
      if [[ $s == single ]]; then what="apply → Running, 1 pod at a time ($RUNS), p$p"; else what="apply of $BURST pods → each Running, p$p"; fi
      row "$what" "$a ms" "$b ms" "$(ratio "$a" "$b")"
    done
  done
  a=$(sort -n "$WORK/burst-na.ms" | tail -n 1); b=$(sort -n "$WORK/burst-kl.ms" | tail -n 1)
  row "apply of $BURST pods → all Running" "$a ms" "$b ms" "$(ratio "$a" "$b")"
  row "Deployment of $STEADY per node (both at once) → rolled out" "${ready_ms[na]} ms" "${ready_ms[kl]} ms" "$(ratio "${ready_ms[na]}" "${ready_ms[kl]}")"
  row "pods Running at steady state" "${running[na]}" "${running[kl]}" ""
  row "API requests / min, steady state (${WINDOW} s window)" "$na_rpm" "$kl_rpm" "$(ratio "$na_rpm" "$kl_rpm")"
  row "agent VmRSS with $STEADY pods" "$na_rss MiB" "$kl_rss MiB" "$(ratio "$na_rss" "$kl_rss")"
  row "agent CPU, steady state (% of one core)" "$na_cpu %" "$kl_cpu %" "$(ratio "$na_cpu" "$kl_cpu")"
  row "its containerd CPU, steady state" "$na_ctd_cpu %" "$kl_ctd_cpu %" "$(ratio "$na_ctd_cpu" "$kl_ctd_cpu")"
  row "its containerd Pss" "$na_ctd_pss MiB" "$kl_ctd_pss MiB" "$(ratio "$na_ctd_pss" "$kl_ctd_pss")"
  row "shims: count, Pss" "$(wc -w <<<"$na_shims"), $na_shim_pss MiB" "$(wc -w <<<"$kl_shims"), $kl_shim_pss MiB" ""
  row "nodeagent-logger: count, Pss (kubelet: in containerd)" "$(wc -w <<<"$na_loggers"), $na_logger_pss MiB" "-" ""
  echo
  echo "API requests in the window by verb and resource, nodeagent (system:node:$NA_NODE):"
  breakdown system:node:$NA_NODE | head -n 12
  echo "kubelet (system:node:$KL_NODE):"
  breakdown system:node:$KL_NODE | head -n 12
} | tee "$WORK/report.txt"
[[ -n $KEEP_LOGS ]] && { mkdir -p "$KEEP_LOGS"; cp "$WORK/report.txt" "$WORK"/*.ms "$WORK"/na-*.txt "$KEEP_LOGS"/; }
log "cleaning up"
