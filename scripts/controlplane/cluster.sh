#!/usr/bin/env bash
# A real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler built by build.sh) for nodeagent's tests, in a network namespace of its own.
#
# The control plane's netns nacp-<name> holds a bridge nacp0 with 10.250.0.1/24 and no
# default route: nothing leaves the machine. Simulated nodes (netns of the tests) join the
# bridge through `connect`. State (PKI, kubeconfigs, logs, pids, etcd data) is kept in
# $NODEAGENT_CP_DIR (default /run/nodeagent-cp/<name>). Daemons are stopped by their recorded
# pids only. See docs/CONTROLPLANE.md.
#
# NODEAGENT_CP_APISERVER_ARGS (at `up`): more kube-apiserver flags, split on blanks.
#
# Usage: cluster.sh COMMAND [--name N] ARGS   (N defaults to $NODEAGENT_CP_NAME or "default")
#   up                      start everything; waits until the cluster is usable
#   down                    stop everything, delete the netns and the state dir (idempotent)
#   node-kubeconfig NODE    issue CN=system:node:NODE; writes $DIR/nodes/NODE/{kubeconfig,proxy-kubeconfig}
#   connect NETNS IP        veth cp0 with IP/24 in NETNS, its peer on the bridge nacp0
#   route CIDR VIA          route in the control-plane netns (e.g. a node's pod CIDR)
#   kubectl ARGS...         kubectl as cluster admin, inside the control-plane netns
#   stop | start            stop / start kube-apiserver only (resilience tests)
#   env                     shell assignments: KUBECONFIG_ADMIN, API_SERVER, BIN, CA, ...
#   status                  which daemons run
set -Eeuo pipefail   # -E: the ERR trap of `up` also fires inside functions

HERE=$(cd "$(dirname "$0")" && pwd)
CP_IP=10.250.0.1
CP_PREFIX=24
API_PORT=6443
API_SERVER=https://$CP_IP:$API_PORT
SERVICE_CIDR=10.96.0.0/12
SERVICE_IP=10.96.0.1
CLUSTER_CIDR=10.244.0.0/16
NODE_CIDR_MASK=24
BRIDGE=nacp0
APISERVER_KUBELET_CLIENT_USER=kube-apiserver-kubelet-client
SA_ISSUER=https://kubernetes.default.svc.cluster.local
DAEMONS=(etcd kube-apiserver kube-controller-manager kube-scheduler)

# shellcheck source=lib/procs.sh
. "$HERE/lib/procs.sh"
# shellcheck source=lib/pki.sh
. "$HERE/lib/pki.sh"
# shellcheck source=lib/bootstrap.sh
. "$HERE/lib/bootstrap.sh"

die() { echo "cluster.sh: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# ---- arguments -------------------------------------------------------------------------
(($#)) || usage
CMD=$1; shift
NAME=${NODEAGENT_CP_NAME:-default}
ARGS=()
while (($#)); do
  case $1 in
    --name) (($# >= 2)) || usage; NAME=$2; shift 2 ;;
    --name=*) NAME=${1#--name=}; shift ;;
    -h|--help) usage ;;
    *) if [[ $CMD == kubectl ]]; then ARGS+=("$@"); break; fi  # the rest is kubectl's
       ARGS+=("$1"); shift ;;
  esac
done
[[ $NAME =~ ^[a-z0-9][a-z0-9-]{0,9}$ ]] || die "bad --name '$NAME' (1-10 of a-z 0-9 -)"
NETNS=nacp-$NAME
NS=/run/netns/$NETNS
DIR=${NODEAGENT_CP_DIR:-/run/nodeagent-cp/$NAME}
PKI=$DIR/pki

need_args() { ((${#ARGS[@]} == $1)) || die "$CMD takes $1 argument(s): $2"; }
require_up() { [[ -f $DIR/bin-dir && -e $NS ]] || die "cluster '$NAME' is not up (no $DIR or netns $NETNS)"; }
bin_dir() { cat "$DIR/bin-dir"; }
in_ns() { nsenter --net="$NS" -- "$@"; }
cp_kubectl() { in_ns "$(bin_dir)/kubectl" --kubeconfig="$DIR/admin.kubeconfig" "$@"; }
admin_curl() { # PATH: GET with the admin cert, inside the netns
  in_ns curl -fsS --noproxy '*' --max-time 5 --cacert "$PKI/ca.crt" \
    --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT$1"
}

# ---- daemons ---------------------------------------------------------------------------
start_etcd() {
  local bin; bin=$(bin_dir)
  mkdir -p "$DIR/etcd"; chmod 700 "$DIR/etcd"
  proc_start etcd "$bin/etcd" --name=nacp --data-dir="$DIR/etcd" \
    --listen-client-urls=http://127.0.0.1:2379 --advertise-client-urls=http://127.0.0.1:2379 \
    --listen-peer-urls=http://127.0.0.1:2380 --initial-advertise-peer-urls=http://127.0.0.1:2380 \
    --initial-cluster=nacp=http://127.0.0.1:2380 --listen-metrics-urls= --log-level=warn
  wait_daemon_until etcd 30 "etcd /health" \
    in_ns curl -fsS --noproxy '*' --max-time 2 http://127.0.0.1:2379/health
}

start_apiserver() {
  local bin extra=(); bin=$(bin_dir)
  # Extra flags for benchmarks (e.g. an audit policy); kept in the state dir so that `start`
  # after `stop` uses them too.
  [[ -f $DIR/apiserver-extra-args ]] && read -r -a extra < "$DIR/apiserver-extra-args"
  proc_start kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port=$API_PORT --advertise-address=$CP_IP \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname \
    --service-account-issuer=$SA_ISSUER \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=$SERVICE_CIDR \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --enable-bootstrap-token-auth \
    --allow-privileged=true \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --cert-dir="$DIR/apiserver-certs" \
    --v=1 "${extra[@]}"
  wait_daemon_until kube-apiserver 90 "kube-apiserver /readyz" api_ready
}
api_ready() { [[ $(admin_curl /readyz) == ok ]]; }

start_controller_manager() {
  local bin; bin=$(bin_dir)
  proc_start kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig="$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$DIR/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --controllers='*,bootstrapsigner,tokencleaner' \
    --use-service-account-credentials \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --allocate-node-cidrs --cluster-cidr=$CLUSTER_CIDR --node-cidr-mask-size=$NODE_CIDR_MASK \
    --service-cluster-ip-range=$SERVICE_CIDR \
    --leader-elect=false \
    --v=1
}

start_scheduler() {
  local bin; bin=$(bin_dir)
  proc_start kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig="$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig="$DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig="$DIR/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 \
    --leader-elect=false \
    --v=1
}

# ---- commands --------------------------------------------------------------------------
cmd_up() {
  need_args 0 ""
  [[ ! -e $NS && ! -e $DIR ]] || die "cluster '$NAME' exists ($NS or $DIR); run: $0 down --name $NAME"
  for tool in openssl curl nsenter ip setsid; do command -v $tool >/dev/null || die "$tool not found (scripts/install-deps.sh)"; done

  local bin
  if [[ -n ${NODEAGENT_CP_BIN:-} ]]; then bin=$NODEAGENT_CP_BIN
  else bin=$("$HERE/build.sh" | tail -n 1); fi
  for b in "${DAEMONS[@]}" kubectl; do [[ -x $bin/$b ]] || die "$bin/$b missing (run scripts/controlplane/build.sh)"; done

  mkdir -p "$DIR"; chmod 700 "$DIR"
  echo "$bin" > "$DIR/bin-dir"
  echo "${NODEAGENT_CP_APISERVER_ARGS:-}" > "$DIR/apiserver-extra-args"
  trap 'up_failed' ERR

  ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  ip -n "$NETNS" link add $BRIDGE type bridge
  ip -n "$NETNS" addr add $CP_IP/$CP_PREFIX dev $BRIDGE
  ip -n "$NETNS" link set $BRIDGE up

  pki_make_all
  write_kubeconfig "$DIR/admin.kubeconfig" "$API_SERVER" "$PKI/admin.crt" "$PKI/admin.key"
  # The control plane's own clients stay on loopback.
  write_kubeconfig "$DIR/controller-manager.kubeconfig" "https://127.0.0.1:$API_PORT" \
    "$PKI/controller-manager.crt" "$PKI/controller-manager.key"
  write_kubeconfig "$DIR/scheduler.kubeconfig" "https://127.0.0.1:$API_PORT" \
    "$PKI/scheduler.crt" "$PKI/scheduler.key"

  start_etcd
  start_apiserver
  start_controller_manager
  start_scheduler

  wait_daemon_until kube-controller-manager 60 "ServiceAccount default/default" \
    cp_kubectl get serviceaccount default -n default
  wait_daemon_until kube-controller-manager 60 "ConfigMap default/kube-root-ca.crt" \
    cp_kubectl get configmap kube-root-ca.crt -n default

  bootstrap_make_token
  bootstrap_apply_objects >/dev/null
  write_token_kubeconfig "$DIR/bootstrap-kubeconfig" "$API_SERVER" "$(cat "$DIR/bootstrap-token")"
  proc_alive kube-scheduler || die "kube-scheduler exited, see $DIR/logs/kube-scheduler.log"

  trap - ERR
  echo "cluster '$NAME' up: $API_SERVER in netns $NETNS, state in $DIR"
}

up_failed() {
  trap - ERR
  echo "cluster.sh: up of '$NAME' failed" >&2
  local d
  for d in "${DAEMONS[@]}"; do
    [[ -s $DIR/logs/$d.log ]] || continue
    echo "---- last lines of $d.log" >&2; tail -n 15 "$DIR/logs/$d.log" >&2
  done
  if [[ -n ${NODEAGENT_CP_KEEP_ON_FAIL:-} ]]; then
    echo "cluster.sh: state and logs kept in $DIR; run: $0 down --name $NAME" >&2
  else
    echo "cluster.sh: cleaning up (NODEAGENT_CP_KEEP_ON_FAIL=1 keeps state and logs)" >&2
    cmd_down >&2
  fi
  exit 1
}

cmd_down() {
  local i d
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do proc_stop "${DAEMONS[i]}"; done
  if [[ -e $NS ]]; then
    local left
    left=$(ip netns pids "$NETNS" 2>/dev/null | tr '\n' ' ')
    [[ -z $left ]] || echo "cluster.sh: warning: processes not started by cluster.sh are still in $NETNS: $left" >&2
    # The kernel destroys a deleted netns' interfaces asynchronously, so a node's cp0 could
    # outlive `down` for a while: delete the veths (both ends at once) first.
    local link
    for link in $(ip -n "$NETNS" -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip -n "$NETNS" link delete "$link" 2>/dev/null || true
    done
    ip netns delete "$NETNS"
  fi
  if [[ -d $DIR ]]; then
    for d in "${DAEMONS[@]}"; do
      proc_alive "$d" && die "$d (pid $(proc_pid "$d")) is still running; not removing $DIR"
    done
    rm -rf "$DIR"
  fi
  echo "cluster '$NAME' down"
}

cmd_node_kubeconfig() {
  need_args 1 "NODE"
  require_up
  local node=${ARGS[0]} nd
  [[ $node =~ ^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$ ]] || die "bad node name '$node'"
  nd=$DIR/nodes/$node
  mkdir -p "$nd"
  pki_client "$nd/kubelet-client" "/O=system:nodes/CN=system:node:$node"
  write_kubeconfig "$nd/kubeconfig" "$API_SERVER" "$nd/kubelet-client.crt" "$nd/kubelet-client.key"
  write_kubeconfig "$nd/proxy-kubeconfig" "$API_SERVER" "$PKI/kube-proxy.crt" "$PKI/kube-proxy.key"
  echo "$nd/kubeconfig"
}

cmd_connect() {
  need_args 2 "NETNS IP"
  require_up
  local node_ns=${ARGS[0]} ip=${ARGS[1]%/*} peer
  [[ -e /run/netns/$node_ns ]] || die "no netns '$node_ns' (/run/netns/$node_ns)"
  [[ $ip =~ ^10\.250\.0\.([0-9]{1,3})$ ]] && ((BASH_REMATCH[1] >= 2 && BASH_REMATCH[1] <= 254)) \
    || die "IP must be in 10.250.0.2-254 (the control-plane bridge's /24), got '$ip'"
  peer=cp-${BASH_REMATCH[1]}                       # the bridge port, named by the node's IP
  ip -n "$NETNS" link show "$peer" >/dev/null 2>&1 && die "$ip is already connected ($peer in $NETNS)"
  ip -n "$node_ns" link show cp0 >/dev/null 2>&1 && die "netns $node_ns already has a cp0"
  ip -n "$NETNS" link add "$peer" type veth peer name cp0 netns "$node_ns"
  ip -n "$NETNS" link set "$peer" master $BRIDGE up
  ip -n "$node_ns" addr add "$ip/$CP_PREFIX" dev cp0
  ip -n "$node_ns" link set cp0 up
  echo "$node_ns $ip $peer" >> "$DIR/connections"
}

cmd_route() {
  need_args 2 "CIDR VIA"
  require_up
  ip -n "$NETNS" route replace "${ARGS[0]}" via "${ARGS[1]}"
}

cmd_kubectl() { require_up; cp_kubectl "${ARGS[@]}"; }

cmd_stop() {
  need_args 0 ""; require_up
  proc_stop kube-apiserver
  echo "kube-apiserver of '$NAME' stopped"
}

cmd_start() {
  need_args 0 ""; require_up
  if proc_alive kube-apiserver; then echo "kube-apiserver of '$NAME' already runs"; return; fi
  start_apiserver
  echo "kube-apiserver of '$NAME' started"
}

cmd_env() {
  need_args 0 ""; require_up
  printf 'NACP_NAME=%q\nNACP_DIR=%q\nNACP_NETNS=%q\n' "$NAME" "$DIR" "$NETNS"
  printf 'KUBECONFIG_ADMIN=%q\nAPI_SERVER=%q\nBIN=%q\nCA=%q\n' \
    "$DIR/admin.kubeconfig" "$API_SERVER" "$(bin_dir)" "$PKI/ca.crt"
  printf 'BOOTSTRAP_KUBECONFIG=%q\nBOOTSTRAP_TOKEN=%q\n' "$DIR/bootstrap-kubeconfig" "$(cat "$DIR/bootstrap-token")"
}

cmd_status() {
  need_args 0 ""; require_up
  local d rc=0
  for d in "${DAEMONS[@]}"; do
    if proc_alive "$d"; then echo "$d running (pid $(proc_pid "$d"))"; else echo "$d stopped"; rc=1; fi
  done
  return $rc
}

case $CMD in
  up) cmd_up ;;
  down) need_args 0 ""; cmd_down ;;
  node-kubeconfig) cmd_node_kubeconfig ;;
  connect) cmd_connect ;;
  route) cmd_route ;;
  kubectl) cmd_kubectl ;;
  stop) cmd_stop ;;
  start) cmd_start ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) echo "cluster.sh: unknown command '$CMD'" >&2; usage ;;
esac
