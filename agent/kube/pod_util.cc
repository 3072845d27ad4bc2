// Pod facts (see pod_util.h).
#include "agent/kube/pod_util.h"

#include <set>

namespace nodeagent::kube {

std::string full_name(const ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }
std::string full_name(const Pod& pod) { return full_name(pod.metadata); }

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

std::string pod_hostname(const Pod& pod) {
  if (!pod.spec.hostname.empty()) return pod.spec.hostname;
  std::string name = pod.metadata.name.substr(0, 63);
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name;
}

bool is_terminal(const PodStatus& status) { return status.phase == "Succeeded" || status.phase == "Failed"; }

bool is_static_pod(const Pod& pod) {
  auto it = pod.metadata.annotations.find("kubernetes.io/config.source");
  return it != pod.metadata.annotations.end() && it->second != "api";
}

}  // namespace nodeagent::kube
