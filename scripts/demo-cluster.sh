#!/usr/bin/env bash
# The cluster mode of the demo (scripts/demo.sh cluster): starts the real control plane of the
# tests (scripts/controlplane; the first build takes about 10 minutes, later runs reuse it) in a
# network namespace of its own, joins nodeagent to it as node "demo-node" from a node netns
# attached to it, applies examples/deployment.yaml and shows kubectl's view. Nothing leaves the
# machine: the namespaces have no route out. KEEP=1 leaves everything running; then:
# scripts/demo.sh cluster-stop.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
demo=${DEMO_DIR:-/var/lib/nodeagent-demo-cluster}
netns=nademo-node
node=demo-node
export NODEAGENT_CP_NAME=demo NODEAGENT_SOCKET=$demo/nodeagent.sock
cluster=scripts/controlplane/cluster.sh
kubectl() { "$cluster" kubectl "$@"; }

stop() {
  kubectl delete deployment hello --wait=true --timeout=60s >/dev/null 2>&1 || true
  kubectl delete pods --all --wait=true --timeout=60s >/dev/null 2>&1 || true
  if [[ -f $demo/agent.pid ]]; then kill "$(cat "$demo/agent.pid")" 2>/dev/null || true; rm -f "$demo/agent.pid"; fi
  "$cluster" down >/dev/null 2>&1 || true
  # The agent makes its root dir a shared mount (for mountPropagation); the demo removes it.
  umount "$demo/root" 2>/dev/null || true
  ip netns delete "$netns" 2>/dev/null || true
  [[ -f $demo/containerd/containerd.pid ]] && scripts/private-containerd.sh stop "$demo/containerd"
  return 0
}
if [[ ${1:-} == stop ]]; then stop; exit 0; fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing packages and building nodeagent"
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target nodeagent nodectl nodeagent-logger
step "Building the control plane from upstream's Go modules (cached after the first time)"
scripts/controlplane/build.sh
mkdir -p "$demo"
ctd=$(scripts/private-containerd.sh start "$demo/containerd")

step "Starting kube-apiserver, controller-manager and scheduler (netns nacp-demo, 10.250.0.1)"
"$cluster" up
ip netns delete "$netns" 2>/dev/null || true
ip netns add "$netns"
ip -n "$netns" link set lo up
"$cluster" connect "$netns" 10.250.0.10
kubeconfig=$("$cluster" node-kubeconfig "$node" | tail -n 1)
proxy_kubeconfig=$(dirname "$kubeconfig")/proxy-kubeconfig

step "Joining nodeagent as $node (logs: $demo/agent.log)"
nsenter --net=/run/netns/$netns build/bin/nodeagent --kubeconfig "$kubeconfig" --proxy-kubeconfig "$proxy_kubeconfig" \
  --hostname-override "$node" --node-ip 10.250.0.10 --cluster-cidr 10.244.0.0/16 \
  --root-dir "$demo/root" --pod-log-dir "$demo/logs" --api-socket "$NODEAGENT_SOCKET" \
  --container-runtime-endpoint "unix://$ctd" --containerd-namespace nodeagent-demo >"$demo/agent.log" 2>&1 &
echo $! >"$demo/agent.pid"
for _ in $(seq 50); do build/bin/nodectl version >/dev/null 2>&1 && break; sleep 0.2; done
test/fixtures/images/build-test-image.sh "$demo/busybox.tar"
build/bin/nodectl import "$demo/busybox.tar" --name docker.io/library/busybox:latest >/dev/null
kubectl wait --for=condition=Ready "node/$node" --timeout=60s

step "kubectl get nodes -o wide"
kubectl get nodes -o wide
step "kubectl apply -f examples/deployment.yaml"
"$cluster" kubectl apply -f - <examples/deployment.yaml
kubectl rollout status deployment/hello --timeout=120s
step "kubectl get pods -o wide"
kubectl get pods -o wide
step "kubectl get events (posted by the node, source kubelet/$node)"
kubectl get events --field-selector "source=kubelet" --sort-by=.lastTimestamp | tail -n 8

if [[ ${KEEP:-0} == 1 ]]; then
  step "Left running. Try: $cluster kubectl get pods -o wide; stop with: scripts/demo.sh cluster-stop"
  exit 0
fi
step "kubectl delete deployment hello: the node stops its pods and deletes them for good"
kubectl delete deployment hello --wait=true
for _ in $(seq 60); do [[ -z $(kubectl get pods -o name 2>/dev/null) ]] && break; sleep 1; done
kubectl get pods
stop
step "Done"
