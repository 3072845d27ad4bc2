#include "network/pod/node_network_config.h"

namespace nodeagent::network {

namespace {
constexpr int kMinMtu = 576;    // the IPv4 minimum every host must accept
constexpr int kMaxMtu = 65535;
constexpr size_t kMaxIfnameLength = 15;  // IFNAMSIZ - 1

Error flag_error(const std::string& flag, const Error& error) { return invalid(flag + ": " + error.message); }

bool valid_ifname(const std::string& name) {
  if (name.empty() || name.size() > kMaxIfnameLength || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n') return false;
  }
  return true;
}
}  // namespace

Result<ValidNodeNetworkConfig> validate(const NodeNetworkConfig& config) {
  ValidNodeNetworkConfig valid;
  if (!valid_ifname(config.bridge_name)) {
    return invalid("--network-bridge: \"" + config.bridge_name +
                   "\" is not a valid interface name (1-15 characters, no '/', ':' or spaces)");
  }
  valid.bridge_name = config.bridge_name;

  if (config.pod_cidr.empty()) return invalid("--pod-cidr: required (the node's pod range, e.g. 10.244.1.0/24)");
  auto pod_cidr = Ipv4Cidr::parse(config.pod_cidr);
  if (!pod_cidr.ok()) return flag_error("--pod-cidr", pod_cidr.error());
  if (pod_cidr->prefix_len > 30) {
    return invalid("--pod-cidr: \"" + config.pod_cidr + "\" is too small: a /30 or larger is needed for the gateway and one pod");
  }
  valid.pod_cidr = *pod_cidr;

  if (config.node_ip.empty()) return invalid("--node-ip: required (the node's address on the underlay)");
  auto node_ip = Ipv4::parse(config.node_ip);
  if (!node_ip.ok()) return flag_error("--node-ip", node_ip.error());
  if (valid.pod_cidr.contains(*node_ip)) {
    return invalid("--node-ip: " + config.node_ip + " is inside --pod-cidr " + valid.pod_cidr.str());
  }
  valid.node_ip = *node_ip;

  if (config.mtu < kMinMtu || config.mtu > kMaxMtu) {
    return invalid("--network-mtu: " + std::to_string(config.mtu) + " must be " + std::to_string(kMinMtu) + "-" +
                   std::to_string(kMaxMtu));
  }
  valid.mtu = config.mtu;

  valid.cluster_cidr = valid.pod_cidr;
  if (!config.cluster_cidr.empty()) {
    auto cluster = Ipv4Cidr::parse(config.cluster_cidr);
    if (!cluster.ok()) return flag_error("--cluster-cidr", cluster.error());
    if (!cluster->contains(valid.pod_cidr.network()) || cluster->prefix_len > valid.pod_cidr.prefix_len) {
      return invalid("--cluster-cidr: " + cluster->str() + " does not contain --pod-cidr " + valid.pod_cidr.str());
    }
    valid.cluster_cidr = *cluster;
  }

  NA_ASSIGN_OR_RETURN(valid.routes, validate_routes(config.routes, valid.pod_cidr));

  if (config.state_dir.empty()) return invalid("state dir: required (IPAM allocations are kept there)");
  valid.ipam_dir = config.state_dir + "/ipam/" + config.bridge_name;
  valid.node_netns_path = config.node_netns_path;
  return valid;
}

Result<std::vector<ValidNodeNetworkConfig::Route>> validate_routes(const std::vector<PodCidrRoute>& routes,
                                                                   const Ipv4Cidr& pod_cidr, const std::string& flag_name) {
  std::vector<ValidNodeNetworkConfig::Route> valid;
  for (size_t i = 0; i < routes.size(); ++i) {
    const std::string flag = flag_name + "[" + std::to_string(i) + "]";
    auto cidr = Ipv4Cidr::parse(routes[i].pod_cidr);
    if (!cidr.ok()) return flag_error(flag, cidr.error());
    auto via = Ipv4::parse(routes[i].node_ip);
    if (!via.ok()) return flag_error(flag, via.error());
    if (cidr->overlaps(pod_cidr)) {
      return invalid(flag + ": " + cidr->str() + " overlaps this node's --pod-cidr " + pod_cidr.str());
    }
    for (const auto& earlier : valid) {
      if (earlier.pod_cidr.overlaps(*cidr)) {
        return invalid(flag + ": " + cidr->str() + " overlaps the route to " + earlier.pod_cidr.str());
      }
    }
    valid.push_back({*cidr, *via});
  }
  return valid;
}

}  // namespace nodeagent::network
