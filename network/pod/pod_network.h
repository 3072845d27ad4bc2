// What the agent's pod worker calls to give a pod its network. One implementation,
// NodePodNetwork (pod_network_impl.h), does it like a bridge CNI set-up with libnl;
// test/fakes/fake_pod_network.h is the fake for the agent's unit tests.
//
// When to call what (see docs in network/README.md):
//   start-up      start_node_network(config)          bridge, routes, sysctls, IPAM opened
//   pod sync      setup(request)                      after the sandbox exists, before containers
//   pod deleted   teardown(uid, netns_path)           after the containers are gone, before the sandbox
//   after relist  garbage_collect(live uids)          pods that died while the agent was down
//   periodically  sync_node()                         repairs the node-level set-up
//   Node objects  set_routes(routes)                  other nodes' pod CIDRs changed
// Every call is idempotent; a failed setup() leaves nothing half-made and can be retried.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "util/result.h"
#include "network/pod/node_network_config.h"

namespace nodeagent::network {

// One containerPort with a hostPort (pod.spec.containers[].ports[]).
struct HostPortMapping {
  int32_t host_port = 0;
  int32_t container_port = 0;
  std::string protocol = "TCP";  // TCP | UDP | SCTP
  std::string host_ip;           // "" = every address of the node
  bool operator==(const HostPortMapping&) const = default;
};

struct PodNetworkRequest {
  std::string pod_uid;
  std::string pod_namespace;
  std::string pod_name;
  std::string netns_path;  // the sandbox's netns bind mount; ignored with host_network
  bool host_network = false;
  std::vector<HostPortMapping> host_ports;
};

struct PodNetworkStatus {
  std::vector<std::string> pod_ips;  // status.podIPs (status.podIP = the first)
  std::string host_ip;               // status.hostIP
  bool operator==(const PodNetworkStatus&) const = default;
};

class PodNetwork {
 public:
  virtual ~PodNetwork() = default;

  // Gives the pod an IP and a veth into its netns (or, with host_network, reports the node's
  // IP). Errors name the pod: `pod default/x: no free IP in 10.244.1.0/24` (kFailedPrecondition),
  // `pod default/x: hostPort 8080/TCP is already used by pod default/y` (kAlreadyExists).
  virtual Result<PodNetworkStatus> setup(const PodNetworkRequest& request) = 0;
  // Removes the veth, the hostPort rules and releases the IP. The netns may already be gone.
  virtual Status teardown(const std::string& pod_uid, const std::string& netns_path) = 0;
  // The pod's addresses as allocated; NotFound if the pod has none (unknown, or hostNetwork).
  virtual Result<PodNetworkStatus> status(const std::string& pod_uid) = 0;
  // Releases IPs, veths and hostPorts of every pod whose UID is not in `live_pod_uids`.
  virtual Status garbage_collect(const std::set<std::string>& live_pod_uids) = 0;
  // Re-applies the node-level set-up (bridge, routes, sysctls, masquerade).
  virtual Status sync_node() = 0;
  // Replaces the routes to other nodes' pod CIDRs (from Node objects' spec.podCIDR and
  // addresses): adds the new ones, removes ours that are no longer listed. Errors as for
  // --node-routes, with `routes[i]` naming the entry.
  virtual Status set_routes(const std::vector<PodCidrRoute>& routes) = 0;
};

}  // namespace nodeagent::network
