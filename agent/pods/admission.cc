#include "agent/pods/admission.h"

#include <fmt/format.h>

#include <tuple>

namespace nodeagent::pods {
namespace {

// Requests are compared in the units kubelet prints: millicores for cpu, whole units (bytes)
// for everything else.
int64_t printed(const std::string& resource, int64_t milli) {
  return resource == "cpu" ? milli : kube::milli_to_whole(milli);
}

std::string reason_for(const std::string& resource) { return "OutOf" + resource; }

std::optional<Rejection> insufficient(const std::string& resource, int64_t requested, int64_t used, int64_t capacity) {
  return Rejection{reason_for(resource),
                   fmt::format("Node didn't have enough resource: {}, requested: {}, used: {}, capacity: {}", resource,
                               requested, used, capacity)};
}

// The host ports a pod takes: (host IP, protocol, port) of its containers and sidecars.
using HostPort = std::tuple<std::string, std::string, int32_t>;

std::vector<HostPort> host_ports(const kube::Pod& pod) {
  std::vector<HostPort> out;
  auto add = [&](const kube::Container& c) {
    for (const auto& p : c.ports)
      if (p.host_port > 0) out.emplace_back(p.host_ip.empty() ? "0.0.0.0" : p.host_ip, p.protocol, p.host_port);
  };
  for (const auto& c : pod.spec.init_containers)
    if (c.is_sidecar()) add(c);
  for (const auto& c : pod.spec.containers) add(c);
  return out;
}

// HostPortInfo.CheckConflict: the same protocol and port, and the same IP or a wildcard on
// either side.
bool conflicts(const HostPort& a, const HostPort& b) {
  const auto& [ip_a, proto_a, port_a] = a;
  const auto& [ip_b, proto_b, port_b] = b;
  if (proto_a != proto_b || port_a != port_b) return false;
  return ip_a == ip_b || ip_a == "0.0.0.0" || ip_b == "0.0.0.0";
}

}  // namespace

std::optional<Rejection> check_node_admission(const kube::Pod& pod, const std::vector<const kube::Pod*>& admitted,
                                              const NodeAllocatable& node) {
  const int used_pods = static_cast<int>(admitted.size());
  if (used_pods + 1 > node.max_pods) return insufficient("pods", 1, used_pods, node.max_pods);

  const kube::MilliAmounts wanted = kube::pod_requests(pod.spec);
  kube::MilliAmounts used;
  for (const auto* other : admitted)
    for (const auto& [name, amount] : kube::pod_requests(other->spec)) used[name] += amount;
  // noderesources.Fits' order: cpu, memory, ephemeral-storage, then the others by name.
  std::vector<std::string> order = {"cpu", "memory", "ephemeral-storage"};
  for (const auto& [name, amount] : wanted)
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage") order.push_back(name);
  for (const auto& name : order) {
    const int64_t request = kube::amount_of(wanted, name);
    auto capacity = node.resources.find(name);
    if (request <= 0 || capacity == node.resources.end()) continue;
    const int64_t in_use = kube::amount_of(used, name);
    if (request > capacity->second - in_use)
      return insufficient(name, printed(name, request), printed(name, in_use), printed(name, capacity->second));
  }

  const auto wanted_ports = host_ports(pod);
  if (!wanted_ports.empty()) {
    for (const auto* other : admitted)
      for (const auto& taken : host_ports(*other))
        for (const auto& port : wanted_ports)
          if (conflicts(port, taken))
            return Rejection{"NodePorts",
                             "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"};
  }
  return std::nullopt;
}

}  // namespace nodeagent::pods
