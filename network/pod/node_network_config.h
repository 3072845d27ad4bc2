// The node network's start-up configuration (flags or config file) and its validation.
// validate() turns the strings into parsed values once, with errors that name the flag:
//   --pod-cidr: "10.244.1.0/33" is not a valid CIDR: prefix length must be 0-32
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network {

// A route to another node's pod CIDR via that node's IP (from a flag now, from Node objects later).
struct PodCidrRoute {
  std::string pod_cidr;  // "10.244.2.0/24"
  std::string node_ip;   // "192.168.50.2"
};

struct NodeNetworkConfig {
  std::string bridge_name = "cni0";  // --network-bridge
  std::string pod_cidr;              // --pod-cidr (required)
  std::string node_ip;               // --node-ip (required): status.hostIP, hostPort DNAT source
  int mtu = 1500;                    // --network-mtu, for the bridge and both veth ends
  std::vector<PodCidrRoute> routes;  // --node-routes
  std::string cluster_cidr;          // --cluster-cidr: no masquerade inside it; "" = pod CIDR only
  std::string state_dir;             // IPAM files go to <state_dir>/ipam/<bridge_name>
  // The node's network namespace; "" = the agent's own. Tests point it at a test "node" netns.
  std::string node_netns_path;
};

// The same, parsed and checked.
struct ValidNodeNetworkConfig {
  std::string bridge_name;
  Ipv4Cidr pod_cidr;
  Ipv4 node_ip;
  int mtu = 1500;
  struct Route {
    Ipv4Cidr pod_cidr;
    Ipv4 node_ip;
  };
  std::vector<Route> routes;
  Ipv4Cidr cluster_cidr;  // the pod CIDR itself when --cluster-cidr is not given
  std::string ipam_dir;
  std::string node_netns_path;
};

Result<ValidNodeNetworkConfig> validate(const NodeNetworkConfig& config);

// Checks routes on their own (PodNetwork::set_routes): valid CIDRs and IPs, no overlap with
// this node's pod CIDR or with each other. `flag` names them in errors.
Result<std::vector<ValidNodeNetworkConfig::Route>> validate_routes(const std::vector<PodCidrRoute>& routes,
                                                                   const Ipv4Cidr& pod_cidr,
                                                                   const std::string& flag = "--node-routes");

}  // namespace nodeagent::network
