#!/usr/bin/env bash
# Installs every Debian 12 package that nodeagent's build, tests, benchmarks and demo need.
# Idempotent: does nothing (and needs no network) when everything is already installed.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache
  # containerd's gRPC API: protoc + grpc plugin, and containerd's own .proto files
  protobuf-compiler protobuf-compiler-grpc libgrpc++-dev libprotobuf-dev
  golang-github-containerd-containerd-dev golang-github-gogo-protobuf-dev golang-github-gogo-googleapis-dev
  # libraries
  libnl-3-dev libnl-route-3-dev libip4tc-dev libnetfilter-conntrack-dev libsystemd-dev liblz4-dev
  libspdlog-dev libfmt-dev catch2 nlohmann-json3-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev
  libcli11-dev libcpp-httplib-dev libarchive-dev
  # the node API: HTTP/1.1 with TLS and connection upgrade (Boost.Beast + Asio)
  libboost1.74-dev
  # runtime pieces the daemon drives, and what tests and the demo use
  containerd runc iptables iproute2 procps util-linux mount e2fsprogs
  busybox-static umoci skopeo docker-registry curl
  # the test control plane (scripts/controlplane): PKI, readiness checks, nsenter/setsid/flock
  openssl
  # bench/cluster: upstream kubelet's pod network (CNI bridge, host-local), audit log parsing
  containernetworking-plugins jq
  # the node API's e2e test parses /metrics with the real Prometheus parser
  python3-prometheus-client
)
# kubectl for the control-plane e2e tests; some images ship it from another package already.
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all ${#PACKAGES[@]} packages present"
