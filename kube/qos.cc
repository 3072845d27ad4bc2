// kube::qos_class: the pod QoS class, as upstream GetPodQOS computes it (see qos.h).
#include "kube/qos.h"

#include <map>
#include <vector>

namespace nodeagent::kube {

namespace {

bool is_qos_resource(const std::string& name) { return name == "cpu" || name == "memory"; }

void add_nonzero(std::map<std::string, int64_t>& sums, const ResourceList& list) {
  for (const auto& [name, quantity] : list) {
    if (is_qos_resource(name) && quantity.milli > 0) sums[name] += quantity.milli;
  }
}

}  // namespace

QosClass qos_class(const PodSpec& spec) {
  std::map<std::string, int64_t> requests, limits;
  bool guaranteed = true;
  std::vector<const Container*> all;
  for (const auto& c : spec.init_containers) all.push_back(&c);
  for (const auto& c : spec.containers) all.push_back(&c);

  for (const Container* c : all) {
    add_nonzero(requests, c->resources.requests);
    std::map<std::string, int64_t> own_limits;
    add_nonzero(own_limits, c->resources.limits);
    add_nonzero(limits, c->resources.limits);
    if (own_limits.count("cpu") == 0 || own_limits.count("memory") == 0) guaranteed = false;
  }
  if (requests.empty() && limits.empty()) return QosClass::kBestEffort;
  if (guaranteed) {
    for (const auto& [name, value] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || it->second != value) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size() == limits.size() ? QosClass::kGuaranteed : QosClass::kBurstable;
}

}  // namespace nodeagent::kube
