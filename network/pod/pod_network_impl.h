// NodePodNetwork: the PodNetwork of this node. Bridge + veth + host-local IPAM, the way a
// bridge CNI set-up does it, over three edges it gets injected: NetlinkOps (kernel links),
// Ipam (state dir) and PodNat (iptables; optional). The logic here is sequencing and
// roll-back, unit-tested with fakes (test/unit/network/pod_network_test.cc).
#pragma once

#include <memory>
#include <mutex>

#include "network/ipam/ipam.h"
#include "network/nat/pod_nat.h"
#include "network/netlink/netlink_ops.h"
#include "network/pod/node_network_config.h"
#include "network/pod/pod_network.h"

namespace nodeagent::network {

class NodePodNetwork final : public PodNetwork {
 public:
  // `nat` may be null: then masquerade is skipped and hostPorts are refused.
  NodePodNetwork(ValidNodeNetworkConfig config, std::unique_ptr<NetlinkOps> ops, std::unique_ptr<Ipam> ipam,
                 std::unique_ptr<PodNat> nat);

  Result<PodNetworkStatus> setup(const PodNetworkRequest& request) override;
  Status teardown(const std::string& pod_uid, const std::string& netns_path) override;
  Result<PodNetworkStatus> status(const std::string& pod_uid) override;
  Status garbage_collect(const std::set<std::string>& live_pod_uids) override;
  Status sync_node() override;
  Status set_routes(const std::vector<PodCidrRoute>& routes) override;

  const ValidNodeNetworkConfig& config() const { return config_; }

 private:
  PodNetworkStatus status_for(Ipv4 ip) const;
  // Makes the kernel's pod routes exactly `routes_`. Called with routes_mu_ held.
  Status reconcile_routes_locked();

  const ValidNodeNetworkConfig config_;
  std::unique_ptr<NetlinkOps> ops_;
  std::unique_ptr<Ipam> ipam_;
  std::unique_ptr<PodNat> nat_;
  std::mutex routes_mu_;
  std::vector<ValidNodeNetworkConfig::Route> routes_;  // starts as config_.routes
};

// Validates the config, opens the kernel edge (libnl, in config.node_netns_path) and the IPAM
// store, and runs sync_node() once. `nat` as for NodePodNetwork.
Result<std::unique_ptr<PodNetwork>> start_node_network(const NodeNetworkConfig& config,
                                                       std::unique_ptr<PodNat> nat);

}  // namespace nodeagent::network
