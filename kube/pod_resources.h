// What a pod asks of its node, as k8s.io/component-helpers/resource aggregates it (PodRequests,
// PodLimits): app containers and sidecars (restartable init containers) add up; every other
// init container runs alone next to the sidecars started before it, so the pod needs the
// largest of those as well; the RuntimeClass overhead comes on top. Per resource name, in milli
// units (cpu "250m" -> 250, memory "64Mi" -> 67108864000). Used by admission (does the pod fit
// the node) and by the pod cgroup's limits, so that both read a pod the same way.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kube/types.h"

namespace nodeagent::kube {

using MilliAmounts = std::map<std::string, int64_t>;  // resource name -> milli units

// The containers' aggregate of `which` (requests or limits), without the overhead.
MilliAmounts aggregate_container_resources(const PodSpec& spec, ResourceList ResourceRequirements::*which);

// PodRequests: the aggregate of the requests plus spec.overhead.
MilliAmounts pod_requests(const PodSpec& spec);

// Milli units to whole units, rounded up as Quantity.Value() (memory "1.5m" bytes -> 1).
inline int64_t milli_to_whole(int64_t milli) { return milli / 1000 + (milli % 1000 > 0 ? 1 : 0); }

inline int64_t amount_of(const MilliAmounts& amounts, const std::string& name) {
  auto it = amounts.find(name);
  return it == amounts.end() ? 0 : it->second;
}

}  // namespace nodeagent::kube
