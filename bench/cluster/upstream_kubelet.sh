# Upstream kubelet as a node of the test control plane, for side-by-side benchmarks: a library to
# source (bench/cluster/cluster_bench.sh, later bench/probes), not a script to run.
#
#   . bench/cluster/upstream_kubelet.sh
#   uk_pause_image OUT.tar                      # static pause (upstream's pause.c) as an OCI archive
#   uk_containerd_start DIR NETNS               # containerd with CRI + CNI bridge, inside NETNS
#   uk_import DIR ARCHIVE NAME:TAG              # an OCI archive into the CRI's namespace k8s.io
#   uk_kubelet_start DIR NETNS NODE NODE_IP KUBECONFIG [KUBELET FLAGS...]
#   uk_kubelet_pid DIR / uk_containerd_pid DIR
#   uk_cleanup DIR                              # kubelet, sandboxes, shims, containerd, mounts, cgroups
#   uk_cgroups_remove NAME                      # kill and rmdir /sys/fs/cgroup/*/NAME
#
# DIR holds everything of that node: containerd root/state/socket/config, CNI config and IPAM
# state, the kubelet's root dir, pod logs, config and log. The node's cgroups are under
# /<UK_CGROUP_ROOT> (default uk-<basename DIR>) in every v1 hierarchy. Needs root, the kubelet
# binary ($UK_BIN/kubelet, from scripts/controlplane/build.sh --with-node), containerd 1.6,
# Debian's containernetworking-plugins (/usr/lib/cni) and gcc + umoci for the pause image.
#
# Why it looks like this (checked on Debian 12, kernel 6.18, cgroup v1, containerd 1.6.20,
# kubelet v1.37.2):
# - CNI plugins run in containerd's netns, so containerd runs inside the node netns: the bridge
#   (uk0), the veths and host-local's IPAM all stay in there. ipMasq is off: no iptables rule
#   outside that netns. The pods' own netns (/run/netns/cni-*) are made by containerd.
# - kubelet sets host-wide sysctls at start (vm.overcommit_memory=1, kernel.panic=10,
#   kernel.panic_on_oops=1; container_manager_linux.go setupKernelTunables), or, with
#   protectKernelDefaults, refuses to start when they differ. It therefore runs in a mount
#   namespace of its own where regular files with those values are bind-mounted over the three
#   /proc/sys files: the host's sysctls are never written. Its root dir is a shared bind mount,
#   so the volume mounts kubelet makes there (projected tokens, tmpfs) reach the host's mount
#   namespace, where containerd and runc look for them.
# - cgroup v1: kubelet 1.37 refuses v1 unless failCgroupV1: false. containerd 1.6 lacks the
#   RuntimeConfig RPC: kubelet falls back to cgroupDriver from its config (cgroupfs), and logs
#   that support ends in 1.38.
# - The root here lacks CAP_SYS_RESOURCE: containerd gets restrict_oom_score_adj = true, and
#   kubelet's own oom_score_adj (-999) fails with a logged error only.
# - No swap here; failSwapOn: false anyway. No systemd: cgroupfs, and kubelet is a plain process.

UK_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UK_SANDBOX_IMAGE=${UK_SANDBOX_IMAGE:-registry.k8s.io/pause:3.10}
UK_CNI_BIN=${UK_CNI_BIN:-/usr/lib/cni}

uk_log() { echo "upstream_kubelet: $*" >&2; }
uk_cgroup_root() { echo "${UK_CGROUP_ROOT:-uk-$(basename "$1")}"; }
uk_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
uk_kubelet_pid() { cat "$1/kubelet.pid"; }
uk_containerd_pid() { cat "$1/containerd/containerd.pid"; }

# uk_pause_image OUT.tar: upstream's build/pause/linux/pause.c (from the Go module cache of the
# control-plane build) compiled with gcc -static, as a one-file OCI image; no network.
uk_pause_image() {
  local out=$1 src work
  [[ -s $out ]] && return 0
  src=${UK_PAUSE_C:-$(cd "$UK_HERE/../../test/controlplane/k8s" && go env GOMODCACHE)/k8s.io/kubernetes@${UK_K8S_VERSION:-v1.37.2}/build/pause/linux/pause.c}
  [[ -f $src ]] || { uk_log "no $src (run scripts/controlplane/build.sh first)"; return 1; }
  work=$(mktemp -d /tmp/uk-pause.XXXXXX)
  gcc -static -O2 -DVERSION=3.10-nodeagent-bench -o "$work/pause" "$src"
  umoci init --layout "$work/oci" && umoci new --image "$work/oci:3.10"
  umoci unpack --image "$work/oci:3.10" "$work/bundle" >/dev/null
  install -m 0755 "$work/pause" "$work/bundle/rootfs/pause"
  umoci repack --image "$work/oci:3.10" "$work/bundle"
  umoci config --image "$work/oci:3.10" --config.entrypoint /pause --config.user 65535:65535 \
    --architecture amd64 --os linux
  umoci gc --layout "$work/oci"
  tar -C "$work/oci" -cf "$out.tmp" . && mv "$out.tmp" "$out"
  rm -rf "$work"
}

# uk_containerd_start DIR NETNS: containerd with the CRI plugin under DIR/containerd, in NETNS.
# Prints the socket. The CNI config is a conf_template: containerd writes the conflist with the
# node's spec.podCIDR once kubelet passes it (UpdateRuntimeConfig); until then no pod starts.
uk_containerd_start() {
  local dir=$1 netns=$2 c
  c=$dir/containerd
  mkdir -p "$c" "$dir/cni/net.d" "$dir/cni/ipam"
  uk_alive "$c/containerd.pid" && { echo "$c/containerd.sock"; return 0; }
  rm -f "$dir/cni/net.d/"*
  cat >"$dir/cni/conflist.tmpl" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "uk-pods",
  "plugins": [
    {"type": "bridge", "bridge": "uk0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$dir/cni/ipam",
              "ranges": [[{"subnet": "{{.PodCIDR}}"}]], "routes": [{"dst": "0.0.0.0/0"}]}}
  ]
}
JSON
  cat >"$c/config.toml" <<TOML
version = 2
root = "$c/root"
state = "$c/state"
[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = "$c/debug.sock"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$UK_SANDBOX_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$UK_CNI_BIN"
    conf_dir = "$dir/cni/net.d"
    conf_template = "$dir/cni/conflist.tmpl"
    max_conf_num = 1
TOML
  setsid nsenter --net="/run/netns/$netns" -- containerd --config "$c/config.toml" >"$c/containerd.log" 2>&1 </dev/null &
  echo $! >"$c/containerd.pid"
  local i
  for ((i = 0; i < 100; i++)); do
    ctr --address "$c/containerd.sock" version >/dev/null 2>&1 && { echo "$c/containerd.sock"; return 0; }
    uk_alive "$c/containerd.pid" || break
    sleep 0.1
  done
  uk_log "containerd did not come up; last lines of $c/containerd.log:"; tail -n 20 "$c/containerd.log" >&2
  return 1
}

# uk_import DIR ARCHIVE NAME:TAG: imports an OCI archive whose index names TAG into the CRI's
# namespace (k8s.io) as NAME:TAG.
uk_import() {
  local a="ctr --address $1/containerd/containerd.sock -n k8s.io"
  $a images import --base-name "${3%:*}" "$2" >/dev/null
  $a images ls -q | grep -qxF "$3" || { uk_log "import of $2 did not give $3"; return 1; }
}

# uk_kubelet_start DIR NETNS NODE NODE_IP KUBECONFIG [FLAGS...]: kubelet in NETNS and in a mount
# namespace of its own (see the top), against DIR's containerd. UK_MAX_PODS (110), UK_CLUSTER_DNS
# (10.96.0.10: no DNS server answers there, but without it every pod gets a MissingClusterDNS
# event) and
# UK_KUBELET_CONFIG_EXTRA (YAML lines appended to the KubeletConfiguration) tune it.
uk_kubelet_start() {
  local dir=$1 netns=$2 node=$3 node_ip=$4 kubeconfig=$5 kubelet=${UK_BIN:?UK_BIN: the bin dir of build.sh --with-node}/kubelet
  shift 5
  [[ -x $kubelet ]] || { uk_log "$kubelet missing (scripts/controlplane/build.sh --with-node)"; return 1; }
  local cgroot; cgroot=$(uk_cgroup_root "$dir")
  local h
  for h in /sys/fs/cgroup/*/; do
    [[ -f $h/cgroup.procs ]] || continue
    [[ $h == */unified/ ]] && continue          # v1 hybrid: kubelet uses the v1 hierarchies
    mkdir -p "$h$cgroot"
  done
  # cpuset children need cpus/mems before any task joins them.
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$cgroot/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$cgroot/cpuset.mems"

  mkdir -p "$dir/kubelet" "$dir/pod-logs" "$dir/sysctl"
  if ! grep -q " $dir/kubelet " /proc/self/mountinfo; then
    mount --bind "$dir/kubelet" "$dir/kubelet"
  fi
  mount --make-shared "$dir/kubelet"
  echo 1 >"$dir/sysctl/overcommit_memory"; echo 10 >"$dir/sysctl/panic"; echo 1 >"$dir/sysctl/panic_on_oops"
  cat >"$dir/kubelet-config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
failSwapOn: false
cgroupDriver: cgroupfs
cgroupRoot: /$cgroot
cgroupsPerQOS: true
containerRuntimeEndpoint: unix://$dir/containerd/containerd.sock
podLogsDir: $dir/pod-logs
maxPods: ${UK_MAX_PODS:-110}
address: 127.0.0.1
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}, x509: {}}
authorization: {mode: AlwaysAllow}
registerNode: true
protectKernelDefaults: true
makeIPTablesUtilChains: false
serializeImagePulls: false
resolvConf: /etc/resolv.conf
clusterDNS: [${UK_CLUSTER_DNS:-10.96.0.10}]
clusterDomain: cluster.local
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
${UK_KUBELET_CONFIG_EXTRA:-}
YAML
  local inner
  inner="mount --make-rprivate /proc &&
    mount --bind $dir/sysctl/overcommit_memory /proc/sys/vm/overcommit_memory &&
    mount --bind $dir/sysctl/panic /proc/sys/kernel/panic &&
    mount --bind $dir/sysctl/panic_on_oops /proc/sys/kernel/panic_on_oops &&
    exec nsenter --net=/run/netns/$netns -- \"\$@\""
  setsid unshare --mount --propagation unchanged -- sh -c "$inner" kubelet \
    "$kubelet" --config="$dir/kubelet-config.yaml" --kubeconfig="$kubeconfig" --root-dir="$dir/kubelet" \
    --hostname-override="$node" --node-ip="$node_ip" --cert-dir="$dir/kubelet/pki" "$@" \
    >"$dir/kubelet.log" 2>&1 </dev/null &
  echo $! >"$dir/kubelet.pid"
  sleep 0.5
  uk_alive "$dir/kubelet.pid" || { uk_log "kubelet exited at once:"; tail -n 30 "$dir/kubelet.log" >&2; return 1; }
}

uk_stop_pid() { # PIDFILE: TERM, then KILL after 15 s
  local f=$1 pid i
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# uk_cgroups_remove NAME: kills what is left in /sys/fs/cgroup/*/NAME and removes those cgroups.
uk_cgroups_remove() {
  local name=$1 h d pid
  for h in /sys/fs/cgroup/*/; do
    [[ -d $h$name ]] || continue
    for d in $(find "$h$name" -depth -type d 2>/dev/null); do
      for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    done
  done
  sleep 0.3
  for h in /sys/fs/cgroup/*/; do
    [[ -d $h$name ]] || continue
    find "$h$name" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ ! -d $h$name ]] || uk_log "warning: cgroup $h$name not removed"
  done
}

# uk_cleanup DIR: removes everything uk_* made for DIR, also after a crash. Pods should have been
# deleted through the API first (then this finds nothing left); whatever is left is killed.
uk_cleanup() {
  local dir=$1 c sock cgroot
  c=$dir/containerd; sock=$c/containerd.sock; cgroot=$(uk_cgroup_root "$dir")
  uk_stop_pid "$dir/kubelet.pid"
  # The pods' netns, read from the sandboxes' specs while containerd still answers.
  local netns_paths=() id p
  if [[ -S $sock ]] && ctr --address "$sock" version >/dev/null 2>&1; then
    for id in $(ctr --address "$sock" -n k8s.io containers ls -q 2>/dev/null); do
      p=$(ctr --address "$sock" -n k8s.io containers info "$id" 2>/dev/null |
        jq -r '.Spec.linux.namespaces[]? | select(.type == "network") | .path // empty' 2>/dev/null) || true
      [[ $p == /var/run/netns/cni-* || $p == /run/netns/cni-* ]] && netns_paths+=("$p")
    done
  fi
  # Shims (their cmdline names our socket) and everything in our cgroups.
  local pid
  for pid in $(pgrep -f -- "-address $sock" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  uk_stop_pid "$c/containerd.pid"
  uk_cgroups_remove "$cgroot"
  for p in "${netns_paths[@]}"; do
    p=${p/#\/var\/run/\/run}
    [[ -e $p ]] && { umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null || true; rm -f "$p"; }
  done
  # Mounts under DIR, deepest first (kubelet's volumes, the shared bind of its root dir, rootfs).
  { grep -o " $dir/[^ ]*" /proc/self/mountinfo || true; } | sed 's/^ //' | awk '{print length, $0}' | sort -rn | cut -d' ' -f2- |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  grep -q " $dir/kubelet " /proc/self/mountinfo && umount -l "$dir/kubelet" 2>/dev/null
  return 0
}
