// PodNat over the service proxy's iptables wrapper (network/iptables): hostPort DNAT in the
// nat table as CNI portmap lays it out (CNI-HOSTPORT-DNAT, -SETMARK, -MASQ) and pod egress
// masquerade (NODEAGENT-POD-MASQ). Only these chains and the jumps to them are touched; every
// change is one atomic commit of the nat table, made inside the node's network namespace.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "network/iptables/table.h"
#include "network/nat/host_port_table.h"
#include "network/nat/pod_nat.h"

namespace nodeagent::network {

class IptablesPodNat final : public PodNat {
 public:
  // Reads back the hostPort rules already in the kernel (an agent restart), so pods that are
  // not re-synced yet keep their hostPorts. `iptables` must outlive this object.
  static Result<std::unique_ptr<IptablesPodNat>> create(iptables::Iptables& iptables, std::string node_netns_path);

  Status ensure_masquerade(const Ipv4Cidr& pod_cidr, const Ipv4Cidr& cluster_cidr) override;
  Status set_host_ports(const std::string& pod_uid, const std::string& pod_ref, Ipv4 pod_ip,
                        const std::vector<HostPortMapping>& mappings) override;
  Status check_host_ports(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) override;
  Status remove_host_ports(const std::string& pod_uid) override;
  Status retain_host_ports(const std::set<std::string>& live_pod_uids) override;

 private:
  IptablesPodNat(iptables::Iptables& iptables, std::string node_netns_path)
      : iptables_(iptables), node_netns_path_(std::move(node_netns_path)) {}
  // Writes the DNAT chain for the current table; on failure restores `previous`.
  Status apply_host_ports_locked(const HostPortTable& previous);

  iptables::Iptables& iptables_;
  const std::string node_netns_path_;
  std::mutex mu_;
  HostPortTable table_;
  std::optional<Ipv4Cidr> pod_cidr_;  // known after ensure_masquerade()
};

}  // namespace nodeagent::network
