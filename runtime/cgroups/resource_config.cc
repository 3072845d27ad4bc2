// kubelet's shares/quota/weight arithmetic and pod-level limits (see resource_config.h).
#include "runtime/cgroups/resource_config.h"

#include <algorithm>
#include <string>
#include <vector>

#include "kube/pod_resources.h"

namespace nodeagent::runtime::cgroups {
namespace {

int64_t milli_of(const kube::ResourceList& list, const char* name) {
  const auto it = list.find(name);
  return it == list.end() ? 0 : it->second.milli_value();
}

// Whether every container (init ones included) sets a non-zero limit for `name`.
bool all_limit(const kube::PodSpec& spec, const char* name) {
  for (const auto* list : {&spec.containers, &spec.init_containers}) {
    for (const auto& c : *list) {
      if (milli_of(c.resources.limits, name) == 0) return false;
    }
  }
  return true;
}

}  // namespace

int64_t milli_cpu_to_shares(int64_t milli) {
  if (milli == 0) return kMinShares;
  return std::clamp<int64_t>(milli * kSharesPerCpu / kMilliCpuPerCpu, kMinShares, kMaxShares);
}

int64_t milli_cpu_to_quota(int64_t milli, int64_t period_us) {
  if (milli == 0) return 0;
  return std::max<int64_t>(kMinQuotaUs, milli * period_us / kMilliCpuPerCpu);
}

int64_t shares_to_weight(int64_t shares) {
  if (shares <= 0) return 0;
  shares = std::clamp<int64_t>(shares, kMinShares, kMaxShares);
  return 1 + ((shares - kMinShares) * 9999) / (kMaxShares - kMinShares);
}

PodResources resource_config_for_pod(const kube::PodSpec& spec, QosClass qos) {
  PodResources r;
  r.cpu_period_us = kQuotaPeriodUs;
  if (qos == QosClass::kBestEffort) {
    r.cpu_shares = kMinShares;
    return r;
  }
  // Overhead counts in every request, but only in limits the pod has.
  const kube::MilliAmounts requests = kube::pod_requests(spec);
  const kube::MilliAmounts limits = kube::aggregate_container_resources(spec, &kube::ResourceRequirements::limits);
  int64_t cpu_limit = kube::amount_of(limits, "cpu"), memory_limit = kube::amount_of(limits, "memory");
  if (cpu_limit > 0) cpu_limit += milli_of(spec.overhead, "cpu");
  if (memory_limit > 0) memory_limit += milli_of(spec.overhead, "memory");

  r.cpu_shares = milli_cpu_to_shares(kube::amount_of(requests, "cpu"));
  const bool guaranteed = qos == QosClass::kGuaranteed;
  if (guaranteed || all_limit(spec, "cpu")) r.cpu_quota_us = milli_cpu_to_quota(cpu_limit, r.cpu_period_us);
  if (guaranteed || all_limit(spec, "memory")) r.memory_limit_bytes = kube::milli_to_whole(memory_limit);
  return r;
}

}  // namespace nodeagent::runtime::cgroups
