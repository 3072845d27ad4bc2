#!/usr/bin/env bash
# Starts (or stops) a containerd of its own under DIR: root, state, sockets and config all in
# DIR, the CRI plugin off. Used by the demo when the system containerd is not running, and by
# developers to try the agent without touching the node's containerd.
#
#   private-containerd.sh start DIR    # prints the socket path once it answers
#   private-containerd.sh stop DIR
set -euo pipefail
cmd=${1:?usage: private-containerd.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: private-containerd.sh start|stop DIR}")

case $cmd in
start)
  mkdir -p "$dir"
  if [[ -f $dir/containerd.pid ]] && kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then
    echo "$dir/containerd.sock"
    exit 0
  fi
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
[metrics]
  address = ""
TOML
  containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  for _ in $(seq 100); do
    if ctr --address "$dir/containerd.sock" version >/dev/null 2>&1; then
      echo "$dir/containerd.sock"
      exit 0
    fi
    sleep 0.1
  done
  echo "private-containerd: containerd did not come up; see $dir/containerd.log" >&2
  exit 1
  ;;
stop)
  [[ -f $dir/containerd.pid ]] || exit 0
  pid=$(cat "$dir/containerd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/containerd.pid"
  # Shims outlive containerd by design; containers must have been deleted before this.
  { grep -o " $dir/[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  ;;
*) echo "usage: private-containerd.sh start|stop DIR" >&2; exit 2 ;;
esac
