// The downward API: the value of a fieldRef (metadata.name, metadata.labels['app'],
// status.podIP, ...) or a resourceFieldRef (limits.cpu, requests.memory, ...) for a pod, as
// kubelet computes them for env variables and downwardAPI volume files alike.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

// What the node knows about the pod beyond its spec.
struct DownwardApiContext {
  std::string node_name;  // spec.nodeName when the pod has none (static pods)
  std::string host_ip;
  std::string pod_ip;
  std::vector<std::string> pod_ips;
  int64_t node_allocatable_cpu_millis = 0;    // limits.cpu of a container without a limit
  int64_t node_allocatable_memory_bytes = 0;  // limits.memory of a container without a limit
};

// The value of a fieldRef path for this pod, or an error naming the path.
[[nodiscard]] Result<std::string> field_ref_value(const Pod& pod, const std::string& field_path,
                                                  const DownwardApiContext& ctx);
// resourceFieldRef of `self` (or of sel.container_name): limits.cpu etc., rounded up to the divisor.
[[nodiscard]] Result<std::string> resource_ref_value(const Pod& pod, const Container& self,
                                                     const ResourceFieldSelector& sel, const DownwardApiContext& ctx);

}  // namespace nodeagent::kube
