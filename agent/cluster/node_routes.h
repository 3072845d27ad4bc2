// NodeRoutes: the routes to other nodes' pods, from the Node objects. A reflector on
// /api/v1/nodes; for every OTHER node with an IPv4 pod CIDR (spec.podCIDRs, else spec.podCIDR)
// and an IPv4 InternalIP, one network::PodCidrRoute{pod_cidr, node_ip}. The callback gets the
// whole set (sorted by node name) after the first list and whenever it changes; the agent hands
// it to PodNetwork::set_routes. This node's own pod CIDR comes from the same watch.
//
// Identity: listing every Node needs list/watch on nodes. A node's own identity does not have
// it (the Node authorizer with AuthorizeNodeWithSelectors, GA since 1.34, lets a node read only
// its own Node: "node 'n1' cannot read all nodes, only its own Node object"). Use the identity
// kube-proxy uses (its kubeconfig: system:node-proxier may list/watch nodes), or grant
// list/watch on nodes to the group system:nodes with a ClusterRoleBinding. A 403 is reported
// through on_error with that hint.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kube/client/reflector.h"
#include "network/pod/node_network_config.h"

namespace nodeagent::cluster {

// The routes a set of Node objects gives `self` (pure).
std::vector<network::PodCidrRoute> pod_cidr_routes(const kube::client::ObjectMap& nodes, const std::string& self);

class NodeRoutes {
 public:
  using RoutesFn = std::function<void(const std::vector<network::PodCidrRoute>& routes)>;
  using ErrorFn = std::function<void(const Error& error)>;

  // `client`: an identity that may list/watch nodes (see above).
  NodeRoutes(kube::client::ApiClient& client, std::string node_name, RoutesFn on_routes, ErrorFn on_error = nullptr);
  ~NodeRoutes();

  void start();
  void stop();
  bool synced() const { return reflector_.synced(); }

  // This node's spec.podCIDR as last seen ("" until allocated).
  std::string own_pod_cidr() const;
  std::vector<network::PodCidrRoute> routes() const;

  // The reflector's change handler (public for tests).
  void on_nodes(const kube::client::ObjectMap& nodes);

 private:
  std::string node_name_;
  RoutesFn on_routes_;
  ErrorFn on_error_;
  mutable std::mutex mu_;
  bool delivered_ = false;
  std::vector<network::PodCidrRoute> routes_;
  std::string own_pod_cidr_;
  kube::client::Reflector reflector_;
};

}  // namespace nodeagent::cluster
