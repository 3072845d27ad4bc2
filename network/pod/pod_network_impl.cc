#include "network/pod/pod_network_impl.h"

#include <algorithm>

#include "util/log.h"
#include "network/pod/veth_name.h"

namespace nodeagent::network {

namespace {
std::string pod_ref(const PodNetworkRequest& r) { return "pod " + r.pod_namespace + "/" + r.pod_name; }
}  // namespace

NodePodNetwork::NodePodNetwork(ValidNodeNetworkConfig config, std::unique_ptr<NetlinkOps> ops,
                               std::unique_ptr<Ipam> ipam, std::unique_ptr<PodNat> nat)
    : config_(std::move(config)), ops_(std::move(ops)), ipam_(std::move(ipam)), nat_(std::move(nat)),
      routes_(config_.routes) {}

Status NodePodNetwork::reconcile_routes_locked() {
  std::vector<RouteSpec> wanted;
  for (const auto& route : routes_) wanted.push_back(RouteSpec{route.pod_cidr, route.node_ip});
  for (const auto& route : wanted) NA_RETURN_IF_ERROR(ops_->ensure_route(route));
  NA_ASSIGN_OR_RETURN(std::vector<RouteSpec> present, ops_->pod_routes());
  for (const auto& route : present) {
    const bool still_wanted = std::any_of(wanted.begin(), wanted.end(), [&](const RouteSpec& w) {
      return w.destination == route.destination;
    });
    if (!still_wanted) {
      log::get("network")->info("removing route {} via {}: no longer a pod CIDR of another node",
                                route.destination.str(), route.via.str());
      NA_RETURN_IF_ERROR(ops_->delete_route(route.destination));
    }
  }
  return ok_status();
}

Status NodePodNetwork::set_routes(const std::vector<PodCidrRoute>& routes) {
  NA_ASSIGN_OR_RETURN(auto valid, validate_routes(routes, config_.pod_cidr, "routes"));
  std::lock_guard lock(routes_mu_);
  routes_ = std::move(valid);
  return reconcile_routes_locked();
}

Status NodePodNetwork::sync_node() {
  auto logger = log::get("network");
  NA_RETURN_IF_ERROR(ops_->ensure_bridge(
      BridgeSpec{config_.bridge_name, config_.mtu, Ipv4Cidr{config_.pod_cidr.gateway(), config_.pod_cidr.prefix_len}}));
  NA_RETURN_IF_ERROR(ops_->set_sysctl("net/ipv4/ip_forward", "1"));
  // Only where br_netfilter is loaded; we do not load kernel modules ourselves.
  Status bridge_nf = ops_->set_sysctl("net/bridge/bridge-nf-call-iptables", "1");
  if (!bridge_nf.ok()) {
    if (bridge_nf.error().code != ErrorCode::kNotFound) return bridge_nf.error();
    logger->debug("br_netfilter not loaded: bridged pod-to-pod traffic bypasses iptables");
  }
  {
    std::lock_guard lock(routes_mu_);
    NA_RETURN_IF_ERROR(reconcile_routes_locked());
  }
  if (nat_) NA_RETURN_IF_ERROR(nat_->ensure_masquerade(config_.pod_cidr, config_.cluster_cidr));
  return ok_status();
}

PodNetworkStatus NodePodNetwork::status_for(Ipv4 ip) const {
  return PodNetworkStatus{{ip.str()}, config_.node_ip.str()};
}

Result<PodNetworkStatus> NodePodNetwork::setup(const PodNetworkRequest& request) {
  const std::string ref = pod_ref(request);
  if (request.pod_uid.empty()) return invalid(ref + ": metadata.uid: required for networking");
  if (request.host_network) {
    // Containers share the node's netns: nothing to create, and hostPorts are the ports themselves.
    const std::string node_ip = config_.node_ip.str();
    return PodNetworkStatus{{node_ip}, node_ip};
  }
  if (request.netns_path.empty()) return invalid(ref + ": no network namespace to set up");
  if (!request.host_ports.empty() && !nat_) {
    return Error{ErrorCode::kFailedPrecondition, ref + ": hostPort needs iptables support, which is not enabled"};
  }
  // A hostPort conflict fails before anything is made (a pod retried with backoff would
  // otherwise make and delete a veth each time). set_host_ports() below checks again.
  if (nat_) {
    Status ports = nat_->check_host_ports(request.pod_uid, request.host_ports);
    if (!ports.ok()) return ports.error().wrap(ref);
  }

  const bool had_ip = ipam_->lookup(request.pod_uid).has_value();
  auto ip = ipam_->allocate(request.pod_uid);
  if (!ip.ok()) return ip.error().wrap(ref);
  // Undo on failure, so a failed set-up of a new pod leaves nothing behind. A pod that already
  // had its IP (a re-sync of a running pod) keeps IP and veth: its containers may still use
  // them, and the next sync repairs what is broken (NetlinkOps never leaves a half-made pair).
  auto roll_back = [&](const Error& error) -> Error {
    if (!had_ip) {
      ops_->delete_link(veth_name_for_pod(request.pod_uid)).ignore_error();
      ipam_->release(request.pod_uid).ignore_error();
    }
    return error.wrap(ref);
  };

  PodInterfaceSpec spec;
  spec.host_ifname = veth_name_for_pod(request.pod_uid);
  spec.bridge = config_.bridge_name;
  spec.mtu = config_.mtu;
  spec.netns_path = request.netns_path;
  spec.address = Ipv4Cidr{*ip, config_.pod_cidr.prefix_len};
  spec.gateway = config_.pod_cidr.gateway();
  Status interface = ops_->ensure_pod_interface(spec);
  if (!interface.ok()) return roll_back(interface.error());

  if (nat_) {
    Status ports = nat_->set_host_ports(request.pod_uid, request.pod_namespace + "/" + request.pod_name, *ip,
                                        request.host_ports);
    if (!ports.ok()) return roll_back(ports.error());
  }
  log::get("network")->debug("pod={}/{} uid={} ip={} veth={}", request.pod_namespace, request.pod_name,
                             request.pod_uid, ip->str(), spec.host_ifname);
  return status_for(*ip);
}

Status NodePodNetwork::teardown(const std::string& pod_uid, const std::string& netns_path) {
  if (nat_) NA_RETURN_IF_ERROR(nat_->remove_host_ports(pod_uid));
  // Deleting the host end deletes the pod end too; a gone netns has taken both with it already.
  NA_RETURN_IF_ERROR(ops_->delete_link(veth_name_for_pod(pod_uid)));
  (void)netns_path;  // nothing to do inside: the pod's netns holds nothing else of ours
  return ipam_->release(pod_uid);
}

Result<PodNetworkStatus> NodePodNetwork::status(const std::string& pod_uid) {
  auto ip = ipam_->lookup(pod_uid);
  if (!ip) return not_found("pod uid=" + pod_uid + ": no pod IP allocated");
  return status_for(*ip);
}

Status NodePodNetwork::garbage_collect(const std::set<std::string>& live_pod_uids) {
  auto logger = log::get("network");
  if (nat_) NA_RETURN_IF_ERROR(nat_->retain_host_ports(live_pod_uids));
  std::set<std::string> live_veths;
  for (const auto& uid : live_pod_uids) live_veths.insert(veth_name_for_pod(uid));
  NA_ASSIGN_OR_RETURN(std::vector<std::string> ports, ops_->bridge_ports(config_.bridge_name));
  for (const auto& port : ports) {
    if (!is_pod_veth_name(port) || live_veths.contains(port)) continue;
    logger->info("removing veth {} of a pod that no longer exists", port);
    NA_RETURN_IF_ERROR(ops_->delete_link(port));
  }
  NA_ASSIGN_OR_RETURN(auto released, ipam_->release_all_except(live_pod_uids));
  (void)released;  // logged by the IPAM
  return ok_status();
}

Result<std::unique_ptr<PodNetwork>> start_node_network(const NodeNetworkConfig& config,
                                                       std::unique_ptr<PodNat> nat) {
  NA_ASSIGN_OR_RETURN(ValidNodeNetworkConfig valid, validate(config));
  NA_ASSIGN_OR_RETURN(std::unique_ptr<NetlinkOps> ops, make_libnl_ops(valid.node_netns_path));
  NA_ASSIGN_OR_RETURN(std::unique_ptr<Ipam> ipam, Ipam::open(valid.ipam_dir, valid.pod_cidr));
  auto network = std::make_unique<NodePodNetwork>(std::move(valid), std::move(ops), std::move(ipam), std::move(nat));
  NA_RETURN_IF_ERROR(network->sync_node());
  return std::unique_ptr<PodNetwork>(std::move(network));
}

}  // namespace nodeagent::network
