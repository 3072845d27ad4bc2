#!/usr/bin/env bash
# The demo (README command one). On a fresh Debian 12 machine: installs packages, builds, uses
# the node's containerd if it answers (otherwise starts a private one under the demo dir),
# builds a small busybox image locally (no network), runs nodeagent on examples/, and shows
# nodectl. Pods run with --no-network (loopback only), so the host's network configuration is
# left untouched. At the end the manifests are deleted and the pods go away; KEEP=1 leaves
# everything running for you to explore (then: scripts/demo.sh stop).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
demo=${DEMO_DIR:-/var/lib/nodeagent-demo}
sock=$demo/nodeagent.sock
export NODEAGENT_SOCKET=$sock
nodectl=$repo/build/bin/nodectl

# The cluster mode: the real control plane and the agent joined to it.
[[ ${1:-} == cluster ]] && exec "$repo/scripts/demo-cluster.sh"
[[ ${1:-} == cluster-stop ]] && exec "$repo/scripts/demo-cluster.sh" stop

stop() {
  if [[ -f $demo/agent.pid ]]; then
    kill "$(cat "$demo/agent.pid")" 2>/dev/null || true
    rm -f "$demo/agent.pid"
  fi
  [[ -f $demo/containerd/containerd.pid ]] && scripts/private-containerd.sh stop "$demo/containerd"
  return 0
}
if [[ ${1:-} == stop ]]; then
  # Delete the pods first, so that their containers, namespaces and mounts are cleaned up.
  rm -f "$demo"/manifests/*.yaml
  for _ in $(seq 60); do
    [[ $("$nodectl" pods -o json 2>/dev/null | grep -c '"uid"') == 0 ]] && break
    sleep 1
  done
  stop
  exit 0
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing packages (Debian 12)"
scripts/install-deps.sh
step "Building"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target nodeagent nodectl nodeagent-logger

mkdir -p "$demo/manifests"
step "containerd"
if ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1; then
  ctd=/run/containerd/containerd.sock
  echo "using the node's containerd at $ctd"
else
  ctd=$(scripts/private-containerd.sh start "$demo/containerd")
  echo "no containerd answering at /run/containerd; started a private one at $ctd"
fi

step "Starting nodeagent (logs: $demo/agent.log)"
[[ -f $demo/agent.pid ]] && kill "$(cat "$demo/agent.pid")" 2>/dev/null || true
build/bin/nodeagent \
  --pod-manifest-path "$demo/manifests" --root-dir "$demo/root" --pod-log-dir "$demo/logs" \
  --container-runtime-endpoint "unix://$ctd" --containerd-namespace nodeagent-demo \
  --api-socket "$sock" --hostname-override demo-node --no-network --no-proxy \
  >"$demo/agent.log" 2>&1 &
echo $! >"$demo/agent.pid"
for _ in $(seq 50); do "$nodectl" version >/dev/null 2>&1 && break; sleep 0.2; done
"$nodectl" version

step "Building a busybox image locally and importing it (nodectl import)"
test/fixtures/images/build-test-image.sh "$demo/busybox.tar"
"$nodectl" import "$demo/busybox.tar" --name docker.io/library/busybox:latest
"$nodectl" images

step "Adding the example manifests (plain Kubernetes v1 Pods)"
cp examples/web.yaml examples/init.yaml examples/job.yaml "$demo/manifests/"
ls "$demo/manifests"
for _ in $(seq 60); do
  out=$("$nodectl" pods)
  if grep -q "web-demo-node .*2/2 .*Running" <<<"$out" && grep -q "init-demo-demo-node .*1/1 .*Running" <<<"$out" \
     && grep -q "once-demo-node .*Completed" <<<"$out"; then break; fi
  sleep 1
done

step "nodectl pods"
"$nodectl" pods
step "nodectl ps"
"$nodectl" ps -a
step "nodectl logs web-demo-node -c client --tail 3  (the client reaches the server over the shared loopback)"
sleep 3
"$nodectl" logs web-demo-node -c client --tail 3
step "nodectl logs init-demo-demo-node  (init containers ran in order)"
"$nodectl" logs init-demo-demo-node
step "nodectl exec web-demo-node -c server -- hostname"
"$nodectl" exec web-demo-node -c server -- hostname

if [[ ${KEEP:-0} == 1 ]]; then
  step "Left running. Try: NODEAGENT_SOCKET=$sock $nodectl pods -o yaml ; stop with: scripts/demo.sh stop"
  exit 0
fi

step "Deleting the manifests: the pods stop (SIGTERM, grace period) and are cleaned up"
rm -f "$demo"/manifests/*.yaml
for _ in $(seq 60); do
  [[ $("$nodectl" pods -o json | grep -c '"uid"') == 0 ]] && break
  "$nodectl" pods | tail -n +2 | sed 's/^/  /'
  sleep 2
done
"$nodectl" pods
echo "containers left in containerd namespace nodeagent-demo: $(ctr --address "$ctd" -n nodeagent-demo containers ls -q | wc -l)"
echo "mounts left under $demo/root: $(grep -c " $demo/root" /proc/self/mountinfo || true)"
stop
step "Done"
