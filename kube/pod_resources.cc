#include "kube/pod_resources.h"

#include <algorithm>

namespace nodeagent::kube {

MilliAmounts aggregate_container_resources(const PodSpec& spec, ResourceList ResourceRequirements::*which) {
  MilliAmounts sum, sidecars, init_peak;
  for (const auto& c : spec.containers)
    for (const auto& [name, q] : c.resources.*which) sum[name] += q.milli_value();
  for (const auto& c : spec.init_containers) {
    MilliAmounts running = sidecars;
    for (const auto& [name, q] : c.resources.*which) {
      running[name] += q.milli_value();
      if (c.is_sidecar()) {
        sum[name] += q.milli_value();
        sidecars[name] += q.milli_value();
      }
    }
    for (const auto& [name, amount] : running) init_peak[name] = std::max(init_peak[name], amount);
  }
  for (const auto& [name, peak] : init_peak) sum[name] = std::max(sum[name], peak);
  return sum;
}

MilliAmounts pod_requests(const PodSpec& spec) {
  MilliAmounts requests = aggregate_container_resources(spec, &ResourceRequirements::requests);
  for (const auto& [name, q] : spec.overhead) requests[name] += q.milli_value();
  return requests;
}

}  // namespace nodeagent::kube
