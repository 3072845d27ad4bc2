// Routes to other nodes' pod CIDRs from the Node objects (see node_routes.h).
#include "agent/cluster/node_routes.h"

#include "agent/cluster/node_registrar.h"
#include "util/ipv4.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

using nlohmann::json;

std::string internal_ipv4(const json& node) {
  if (!node.contains("status") || !node["status"].is_object()) return "";
  const json& status = node["status"];
  if (!status.contains("addresses") || !status["addresses"].is_array()) return "";
  for (const auto& a : status["addresses"]) {
    if (!a.is_object() || a.value("type", "") != "InternalIP") continue;
    const std::string ip = a.value("address", "");
    if (Ipv4::parse(ip).ok()) return ip;
  }
  return "";
}

bool same(const std::vector<network::PodCidrRoute>& a, const std::vector<network::PodCidrRoute>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].pod_cidr != b[i].pod_cidr || a[i].node_ip != b[i].node_ip) return false;
  return true;
}

kube::client::ReflectorOptions reflector_options() {
  kube::client::ReflectorOptions o;
  o.what = "nodes";
  o.path = "/api/v1/nodes";
  return o;
}

}  // namespace

std::vector<network::PodCidrRoute> pod_cidr_routes(const kube::client::ObjectMap& nodes, const std::string& self) {
  std::vector<network::PodCidrRoute> out;  // ObjectMap is ordered: sorted by node name
  for (const auto& [name, node] : nodes) {
    if (name == self) continue;
    const std::string cidr = node_pod_cidr(node);
    const std::string ip = internal_ipv4(node);
    if (cidr.empty() || ip.empty() || !Ipv4Cidr::parse(cidr).ok()) continue;
    out.push_back({cidr, ip});
  }
  return out;
}

NodeRoutes::NodeRoutes(kube::client::ApiClient& client, std::string node_name, RoutesFn on_routes, ErrorFn on_error)
    : node_name_(std::move(node_name)),
      on_routes_(std::move(on_routes)),
      on_error_(std::move(on_error)),
      reflector_(
          client, reflector_options(),
          [this](const kube::client::ObjectMap& nodes, bool) { on_nodes(nodes); },
          [this](const Error& e) {
            Error shown = e;
            if (e.code == ErrorCode::kPermissionDenied)
              shown.message += " (routes to other nodes need an identity that may list/watch nodes: kube-proxy's "
                               "kubeconfig, or a ClusterRoleBinding granting it to the group system:nodes)";
            if (on_error_) on_error_(shown);
          }) {}

NodeRoutes::~NodeRoutes() { stop(); }

void NodeRoutes::start() { reflector_.start(); }
void NodeRoutes::stop() { reflector_.stop(); }

std::string NodeRoutes::own_pod_cidr() const {
  std::lock_guard lock(mu_);
  return own_pod_cidr_;
}

std::vector<network::PodCidrRoute> NodeRoutes::routes() const {
  std::lock_guard lock(mu_);
  return routes_;
}

void NodeRoutes::on_nodes(const kube::client::ObjectMap& nodes) {
  auto routes = pod_cidr_routes(nodes, node_name_);
  {
    std::lock_guard lock(mu_);
    auto self = nodes.find(node_name_);
    own_pod_cidr_ = self == nodes.end() ? "" : node_pod_cidr(self->second);
    if (delivered_ && same(routes, routes_)) return;
    delivered_ = true;
    routes_ = routes;
  }
  log::get("cluster")->info("node={} routes to {} other node(s)", node_name_, routes.size());
  if (on_routes_) on_routes_(routes);
}

}  // namespace nodeagent::cluster
