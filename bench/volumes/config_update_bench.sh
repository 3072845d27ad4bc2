#!/usr/bin/env bash
# ConfigMap update benchmark of nodeagent: prints figures (it is not a test).
#
#   cmake -S . -B build -G Ninja && ninja -C build nodeagent nodectl nodeagent-logger &&
#   sudo bench/volumes/config_update_bench.sh [--runs 50] [--build-dir build]
#
# What it measures: the delay from a ConfigMap manifest renamed into --pod-manifest-path (the
# clock read just before the `mv`) to the new value visible inside a running container that
# mounts the ConfigMap as a volume. The container polls its file every 2 ms with the shell's
# `read` (no fork) and, on a change, records the time with busybox `adjtimex` (the same
# CLOCK_REALTIME as the host's $EPOCHREALTIME) into an emptyDir that the script reads from the
# node. Each run waits for the previous value to be seen, so runs do not overlap. Prints p50,
# p99, min and max over --runs changes (RUNS, default 50).
# Everything it creates (containerd, namespace, containers, shims, mounts, cgroups, temp dir,
# agent) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$script_dir/../.." && pwd)
RUNS=${RUNS:-50}
BUILD_DIR=${BUILD_DIR:-$source_dir/build}
while (($#)); do
  case $1 in
  --runs) RUNS=$2; shift 2 ;;
  --build-dir) BUILD_DIR=$2; shift 2 ;;
  *) echo "usage: $0 [--runs N] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
readonly IMAGE=docker.io/library/busybox:latest WAIT_S=30

[[ $(id -u) == 0 ]] || { echo "config_update_bench: needs root (containerd, runc, mounts)" >&2; exit 1; }
for bin in nodeagent nodectl nodeagent-logger; do
  [[ -x $BUILD_DIR/bin/$bin ]] || { echo "config_update_bench: $BUILD_DIR/bin/$bin missing: build it first" >&2; exit 1; }
done

# ---------------------------------------------------------------- setup and cleanup
tag=nabenchcfg$$
work=$(mktemp -d /tmp/na-bench-cfg-XXXXXX)
ctd_dir=$work/ctd
sock=$ctd_dir/containerd.sock
manifests=$work/manifests
staging=$work/staging
api_sock=$work/nodeagent.sock
cgroup_root=/na-bench-cfg-$$
agent_pid=

ctr_() { ctr --address "$sock" "$@"; }
nodectl_() { "$BUILD_DIR/bin/nodectl" --socket "$api_sock" "$@"; }
pod_count() { local out; out=$(nodectl_ pods -o json 2>/dev/null) || { echo -1; return; }; grep -c '"uid"' <<<"$out" || true; }

cleanup() {
  local rc=$? id
  trap - EXIT INT TERM
  set +e
  if [[ -n $agent_pid ]] && kill -0 "$agent_pid" 2>/dev/null; then
    rm -f "$manifests"/*
    for _ in $(seq 100); do [[ $(pod_count) == 0 ]] && break; sleep 0.1; done
    kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null
  fi
  if [[ -S $sock ]] && ctr_ namespaces ls -q 2>/dev/null | grep -qx "$tag"; then
    for id in $(ctr_ -n "$tag" tasks ls -q 2>/dev/null); do ctr_ -n "$tag" tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
    for id in $(ctr_ -n "$tag" tasks ls -q 2>/dev/null); do ctr_ -n "$tag" tasks rm -f "$id" >/dev/null 2>&1; done
    for id in $(ctr_ -n "$tag" containers ls -q 2>/dev/null); do ctr_ -n "$tag" containers rm "$id" >/dev/null 2>&1; done
    for id in $(ctr_ -n "$tag" images ls -q 2>/dev/null); do ctr_ -n "$tag" images rm --sync "$id" >/dev/null 2>&1; done
    ctr_ namespaces rm "$tag" >/dev/null 2>&1
  fi
  "$source_dir/scripts/private-containerd.sh" stop "$ctd_dir" >/dev/null 2>&1
  grep -o " $work/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  find /sys/fs/cgroup -depth -type d -path "*$cgroup_root*" -exec rmdir {} + 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_us() { local t=$EPOCHREALTIME; NOW_US=$((${t%.*} * 1000000 + 10#${t#*.})); }

# "p50 p99 min max" in ms of the microsecond values in file $1 (nearest rank).
percentiles() {
  sort -n "$1" | awk '{v[NR]=$1} END {
    n=NR; if (n==0) {print "- - - -"; exit}
    i50=int(0.50*n); if (i50<0.50*n) i50++; i99=int(0.99*n); if (i99<0.99*n) i99++
    printf "%.1f %.1f %.1f %.1f\n", v[i50]/1000, v[i99]/1000, v[1]/1000, v[n]/1000 }'
}

# Renamed in, as config management does: the agent never reads half a file.
write_config_map() {
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench\ndata:\n  v: "%s"\n' "$1" >"$staging/cm.yaml"
  mv "$staging/cm.yaml" "$manifests/cm.yaml"
}

# ---------------------------------------------------------------- containerd, agent, pod
printf 'config_update_bench: runs=%s build=%s work=%s\n' "$RUNS" "$BUILD_DIR" "$work"
mkdir -p "$manifests" "$staging"
"$source_dir/scripts/private-containerd.sh" start "$ctd_dir" >/dev/null
image_tar=/tmp/nodeagent-test-images/busybox.tar # the cache the tests share
"$source_dir/test/fixtures/images/build-test-image.sh" "$image_tar"
ctr_ -n "$tag" images import --base-name docker.io/library/busybox "$image_tar" >/dev/null

"$BUILD_DIR/bin/nodeagent" --pod-manifest-path "$manifests" --root-dir "$work/root" --pod-log-dir "$work/logs" \
  --container-runtime-endpoint "unix://$sock" --containerd-namespace "$tag" --api-socket "$api_sock" \
  --hostname-override bench-node --logger-path "$BUILD_DIR/bin/nodeagent-logger" --cgroup-root "$cgroup_root" \
  --no-network --no-proxy >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 200); do nodectl_ version >/dev/null 2>&1 && break; sleep 0.1; done
nodectl_ version >/dev/null 2>&1 || { echo "config_update_bench: agent did not come up:" >&2; tail -20 "$work/agent.log" >&2; exit 1; }

write_config_map v0
cat >"$staging/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: watcher
spec:
  terminationGracePeriodSeconds: 0
  volumes:
  - {name: cfg, configMap: {name: bench}}
  - {name: out, emptyDir: {}}
  containers:
  - name: app
    image: $IMAGE
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c"]
    args:
    - |
      last=""
      while true; do
        read -r v < /etc/cfg/v
        if [ "\$v" != "\$last" ]; then
          t=\$(adjtimex | awk '/tv_sec/ {s=\$2} /tv_usec/ {u=\$2} END {printf "%d%06d", s, u}')
          echo "\$v \$t" >> /out/seen
          last=\$v
        fi
        usleep 2000
      done
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: out, mountPath: /out}
YAML
mv "$staging/pod.yaml" "$manifests/pod.yaml"

seen=
for _ in $(seq $((WAIT_S * 10))); do
  seen=$(ls "$work"/root/pods/*/volumes/kubernetes.io~empty-dir/out/seen 2>/dev/null | head -1) || true
  [[ -n $seen ]] && grep -q '^v0 ' "$seen" && break
  sleep 0.1
done
[[ -n $seen ]] && grep -q '^v0 ' "$seen" || { echo "config_update_bench: the watcher pod did not start" >&2; nodectl_ events >&2; exit 1; }

# ---------------------------------------------------------------- the runs
delays=$work/delays
: >"$delays"
for ((i = 1; i <= RUNS; i++)); do
  now_us
  start=$NOW_US
  write_config_map "v$i"
  line=
  for _ in $(seq $((WAIT_S * 200))); do
    line=$(grep "^v$i " "$seen" || true)
    [[ -n $line ]] && break
    sleep 0.005
  done
  [[ -n $line ]] || { echo "config_update_bench: change $i not seen in ${WAIT_S}s" >&2; exit 1; }
  echo $((${line#* } - start)) >>"$delays"
  sleep 0.$((RANDOM % 5))$((RANDOM % 10)) # 0-0.49 s apart: not in step with any timer of the agent
done

read -r p50 p99 min max < <(percentiles "$delays")
printf '\n| measure | p50 | p99 | min | max | runs |\n|---|---|---|---|---|---|\n'
printf '| ConfigMap manifest renamed in -> new value read inside the container | %s ms | %s ms | %s ms | %s ms | %s |\n' \
  "$p50" "$p99" "$min" "$max" "$RUNS"
