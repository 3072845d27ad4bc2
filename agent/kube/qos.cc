// QoS class exactly as upstream's GetPodQOS (pkg/apis/core/v1/helper/qos): requests and limits
// of cpu and memory are summed over init and app containers; Guaranteed needs both limits on
// every container and summed requests equal to summed limits.
#include "agent/kube/qos.h"

#include <set>

namespace nodeagent::kube {

std::string qos_class(const Pod& pod) {
  ResourceList requests, limits;
  bool guaranteed = true;
  auto add = [](ResourceList& sum, const std::string& name, const Quantity& q) {
    auto [it, inserted] = sum.try_emplace(name, q);
    if (!inserted) it->second.milli += q.milli;
  };
  auto visit = [&](const Container& c) {
    for (const auto& [name, q] : c.resources.requests) {
      if ((name == "cpu" || name == "memory") && q.milli > 0) add(requests, name, q);
    }
    std::set<std::string> limits_found;
    for (const auto& [name, q] : c.resources.limits) {
      if ((name == "cpu" || name == "memory") && q.milli > 0) {
        limits_found.insert(name);
        add(limits, name, q);
      }
    }
    if (!limits_found.count("cpu") || !limits_found.count("memory")) guaranteed = false;
  };
  for (const auto& c : pod.spec.containers) visit(c);
  for (const auto& c : pod.spec.init_containers) visit(c);
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto lim = limits.find(name);
      if (lim == limits.end() || !(lim->second == req)) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return "Guaranteed";
  return "Burstable";
}

}  // namespace nodeagent::kube
