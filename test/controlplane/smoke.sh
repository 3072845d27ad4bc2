#!/usr/bin/env bash
# Self-test of the test control plane (scripts/controlplane/cluster.sh): brings a cluster up,
# acts as node n1 from a simulated node netns with curl and the node's client cert (what the
# Node authorizer allows and denies), checks that kube-controller-manager gives the node a
# pod CIDR, goes through TLS bootstrapping with the bootstrap token (CSR approved and signed),
# then tears everything down and checks that nothing is left.
#
# Needs root and the binaries from scripts/controlplane/build.sh (built on first use).
# Prints PASS/FAIL per step and "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLUSTER=$ROOT/scripts/controlplane/cluster.sh
NAME=${SMOKE_NAME:-smoke}
NODE_NS=na-$NAME-n1
NODE_IP=10.250.0.10
export NODEAGENT_CP_DIR=${NODEAGENT_CP_DIR:-/run/nodeagent-cp/$NAME}
DIR=$NODEAGENT_CP_DIR
WORK=$(mktemp -d /tmp/nacp-smoke.XXXXXX)

passed=0 failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1${2:+: $2}"; failed=$((failed + 1)); }
# step NAME CMD...: runs CMD, output to $WORK/step.log (shown on failure)
step() {
  local name=$1; shift
  if "$@" > "$WORK/step.log" 2>&1; then pass "$name"; return 0; fi
  fail "$name"; sed 's/^/    /' "$WORK/step.log" | tail -n 20; return 1
}
finish() {
  echo "$passed passed, $failed failed"
  ((failed == 0))
  exit
}

cleanup() {
  "$CLUSTER" down --name "$NAME" > /dev/null 2>&1 || true
  [[ -e /run/netns/$NODE_NS ]] && ip netns delete "$NODE_NS"
  rm -rf "$WORK"
}
trap cleanup EXIT

# Anything left by an earlier, killed run of this test.
"$CLUSTER" down --name "$NAME" > /dev/null 2>&1 || true
[[ -e /run/netns/$NODE_NS ]] && ip netns delete "$NODE_NS"

step "build (cached after the first run)" "$ROOT/scripts/controlplane/build.sh" || finish
step "cluster up" "$CLUSTER" up --name "$NAME" || finish
eval "$("$CLUSTER" env --name "$NAME")"
step "node-kubeconfig n1" "$CLUSTER" node-kubeconfig --name "$NAME" n1 || finish
N1=$DIR/nodes/n1
ip netns add "$NODE_NS"
step "connect $NODE_NS as $NODE_IP" "$CLUSTER" connect --name "$NAME" "$NODE_NS" "$NODE_IP" || finish

in_node() { nsenter --net="/run/netns/$NODE_NS" -- "$@"; }
# node_curl EXPECTED_CODE METHOD PATH [BODY]: as system:node:n1 from the node's netns
node_curl() {
  local want=$1 method=$2 path=$3 body=${4:-} code
  code=$(in_node curl -sS --noproxy '*' --max-time 10 -o "$WORK/body" -w '%{http_code}' \
    --cacert "$CA" --cert "$N1/kubelet-client.crt" --key "$N1/kubelet-client.key" \
    -X "$method" -H 'Content-Type: application/json' ${body:+--data "$body"} "$API_SERVER$path")
  cat "$WORK/body"; echo
  [[ $code == "$want" ]] || { echo "HTTP $code, expected $want"; return 1; }
}

step "node n1 POSTs its Node (201)" node_curl 201 POST /api/v1/nodes \
  '{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"kubernetes.io/hostname":"n1"}}}'
step "node n1 GETs its Node (200)" node_curl 200 GET /api/v1/nodes/n1
step "node n1 lists its pods, fieldSelector spec.nodeName=n1 (200)" \
  node_curl 200 GET '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1'
step "node n1 may not list all secrets (403)" node_curl 403 GET /api/v1/secrets

pod_cidr() {
  local cidr
  cidr=$("$CLUSTER" kubectl --name "$NAME" get node n1 -o 'jsonpath={.spec.podCIDR}')
  echo "podCIDR=$cidr"
  [[ $cidr == 10.244.*/24 ]]
}
within() { # SECONDS CMD...: retries CMD every second
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do ((SECONDS < deadline)) || return 1; sleep 1; done
}
step "controller-manager sets spec.podCIDR of n1 within 30 s" within 30 pod_cidr

# TLS bootstrapping as kubelet does it: an ECDSA key, a CSR for system:node:n2 sent with the
# bootstrap token, approved by csrapproving and signed by csrsigning.
CSR_NAME=node-csr-$NAME-n2
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$WORK/n2.key" -out "$WORK/n2.csr" -subj "/O=system:nodes/CN=system:node:n2" 2>/dev/null
boot_curl_csr() {
  local code
  code=$(in_node curl -sS --noproxy '*' --max-time 10 -o "$WORK/body" -w '%{http_code}' \
    --cacert "$CA" -H "Authorization: Bearer $BOOTSTRAP_TOKEN" -H 'Content-Type: application/json' \
    -X POST --data @- "$API_SERVER/apis/certificates.k8s.io/v1/certificatesigningrequests" <<EOF
{"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
 "metadata": {"name": "$CSR_NAME"},
 "spec": {"request": "$(base64 -w0 < "$WORK/n2.csr")",
          "signerName": "kubernetes.io/kube-apiserver-client-kubelet",
          "usages": ["digital signature", "client auth"]}}
EOF
  )
  cat "$WORK/body"; echo
  [[ $code == 201 ]] || { echo "HTTP $code, expected 201"; return 1; }
}
step "bootstrap token POSTs a kubelet client CSR for n2 (201)" boot_curl_csr

boot_kubectl() { in_node "$BIN/kubectl" --kubeconfig="$BOOTSTRAP_KUBECONFIG" "$@"; }
csr_issued() {
  local approved cert
  approved=$(boot_kubectl get csr "$CSR_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Approved")].status}')
  cert=$(boot_kubectl get csr "$CSR_NAME" -o 'jsonpath={.status.certificate}')
  echo "approved=$approved certificate=${#cert} bytes"
  [[ $approved == True && -n $cert ]] || return 1
  base64 -d <<< "$cert" > "$WORK/n2.crt"
}
step "CSR approved and status.certificate issued within 30 s" within 30 csr_issued
issued_subject() {
  openssl x509 -in "$WORK/n2.crt" -noout -subject -issuer
  openssl verify -CAfile "$CA" "$WORK/n2.crt"
  openssl x509 -in "$WORK/n2.crt" -noout -subject -nameopt RFC2253 | grep -q 'CN=system:node:n2,O=system:nodes'
}
step "issued cert is CN=system:node:n2, O=system:nodes, signed by the cluster CA" issued_subject
issued_cert_works() { # the new identity reads its (not yet registered) Node: 404, not 401/403
  local code
  code=$(in_node curl -sS --noproxy '*' --max-time 10 -o "$WORK/body" -w '%{http_code}' \
    --cacert "$CA" --cert "$WORK/n2.crt" --key "$WORK/n2.key" "$API_SERVER/api/v1/nodes/n2")
  cat "$WORK/body"; echo
  [[ $code == 404 ]]
}
step "issued cert authenticates as system:node:n2 (GET own Node: 404)" issued_cert_works

step "kube-apiserver stop" "$CLUSTER" stop --name "$NAME"
step "kube-apiserver start" "$CLUSTER" start --name "$NAME"
step "API usable after restart" "$CLUSTER" kubectl --name "$NAME" get node n1

# Teardown: every recorded pid must be gone, and both netns with it.
pids=$(cat "$DIR"/pids/* 2>/dev/null | awk '{print $1}' | tr '\n' ' ')
step "cluster down" "$CLUSTER" down --name "$NAME"
nothing_left() {
  local p left=0
  echo "recorded pids: $pids"
  for p in $pids; do
    if [[ -e /proc/$p ]] && [[ $(cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ') == *"$DIR"* ]]; then
      echo "pid $p still runs"; left=1
    fi
  done
  [[ ! -e /run/netns/nacp-$NAME ]] || { echo "netns nacp-$NAME left"; left=1; }
  [[ ! -e $DIR ]] || { echo "$DIR left"; left=1; }
  ! ip -n "$NODE_NS" link show cp0 2>/dev/null || { echo "cp0 left in $NODE_NS"; left=1; }
  ((left == 0))
}
step "no processes, netns, veths or state left" nothing_left
step "down again is a no-op" "$CLUSTER" down --name "$NAME"
finish
