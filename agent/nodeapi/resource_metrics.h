// kubelet's /metrics/resource (pkg/kubelet/metrics/collectors/resource_metrics.go): node, pod and
// container CPU and memory in Prometheus text, computed from a /stats/summary
// (only_cpu_and_memory), with the samples' timestamps as kubelet gives them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nodeagent::nodeapi {

std::string resource_metrics_text(const nlohmann::json& summary);

}  // namespace nodeagent::nodeapi
