// endpoints_from_pods: label selector match + targetPort resolution. EndpointSliceInfo carries one
// port number per port name, so pods that resolve a named targetPort to different numbers are
// grouped by the first number seen (the endpoints controller would split them into subsets).
#include "network/proxy/pod_endpoints.h"

#include <cstdlib>

namespace nodeagent::network::proxy {

EndpointSliceInfo endpoints_from_pods(const ServiceInfo& service, const std::vector<PodForEndpoints>& pods,
                                      const std::string& node_name) {
  EndpointSliceInfo slice;
  slice.name = ObjectName{service.name.ns, service.name.name + "-nodeagent-pods"};
  slice.service_name = service.name.name;
  if (service.selector.empty()) return slice;

  std::vector<const PodForEndpoints*> selected;
  for (const auto& pod : pods) {
    if (pod.ns != service.name.ns || pod.ip == 0) continue;
    bool match = true;
    for (const auto& [k, v] : service.selector) {
      auto it = pod.labels.find(k);
      if (it == pod.labels.end() || it->second != v) {
        match = false;
        break;
      }
    }
    if (match) selected.push_back(&pod);
  }

  for (const auto& sp : service.ports) {
    const bool numeric = !sp.target_port.empty() && sp.target_port.find_first_not_of("0123456789") == std::string::npos;
    uint16_t number = numeric ? static_cast<uint16_t>(std::strtoul(sp.target_port.c_str(), nullptr, 10)) : 0;
    if (!numeric) {
      for (const auto* pod : selected) {
        auto it = pod->named_ports.find(sp.target_port);
        if (it != pod->named_ports.end() && it->second.second == sp.protocol) {
          number = it->second.first;
          break;
        }
      }
    }
    if (number == 0) continue;  // no pod offers this named port
    slice.ports.push_back({sp.name.port, sp.protocol, number});
  }
  for (const auto* pod : selected) {
    EndpointSliceInfo::Endpoint ep;
    ep.addresses = {pod->ip};
    ep.ready = pod->ready && !pod->terminating;
    ep.serving = pod->ready;
    ep.terminating = pod->terminating;
    ep.node_name = node_name;
    slice.endpoints.push_back(std::move(ep));
  }
  return slice;
}

}  // namespace nodeagent::network::proxy
