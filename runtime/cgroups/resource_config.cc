// kubelet's shares/quota/weight arithmetic and pod-level limits (see resource_config.h).
#include "runtime/cgroups/resource_config.h"

#include <algorithm>
#include <string>
#include <vector>

namespace nodeagent::runtime::cgroups {
namespace {

// One resource summed as kubelet's PodRequests/PodLimits aggregate it, in milli units.
struct PodTotals {
  int64_t cpu_milli = 0;
  int64_t memory_milli = 0;
};

int64_t milli_of(const kube::ResourceList& list, const char* name) {
  const auto it = list.find(name);
  return it == list.end() ? 0 : it->second.milli_value();
}

// AggregateContainerRequests/Limits: app containers and sidecars add up; each other init
// container runs alone next to the sidecars started before it, so the pod needs the largest
// of those too.
PodTotals aggregate(const kube::PodSpec& spec, kube::ResourceList kube::ResourceRequirements::*which) {
  PodTotals sum, sidecars, init_peak;
  for (const auto& c : spec.containers) {
    sum.cpu_milli += milli_of(c.resources.*which, "cpu");
    sum.memory_milli += milli_of(c.resources.*which, "memory");
  }
  for (const auto& c : spec.init_containers) {
    const int64_t cpu = milli_of(c.resources.*which, "cpu");
    const int64_t memory = milli_of(c.resources.*which, "memory");
    PodTotals running;
    if (c.is_sidecar()) {
      sum.cpu_milli += cpu;
      sum.memory_milli += memory;
      sidecars.cpu_milli += cpu;
      sidecars.memory_milli += memory;
      running = sidecars;
    } else {
      running = {sidecars.cpu_milli + cpu, sidecars.memory_milli + memory};
    }
    init_peak.cpu_milli = std::max(init_peak.cpu_milli, running.cpu_milli);
    init_peak.memory_milli = std::max(init_peak.memory_milli, running.memory_milli);
  }
  return {std::max(sum.cpu_milli, init_peak.cpu_milli), std::max(sum.memory_milli, init_peak.memory_milli)};
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

int64_t milli_to_value(int64_t milli) { return milli / 1000 + (milli % 1000 > 0 ? 1 : 0); }  // rounds up

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
  PodTotals requests = aggregate(spec, &kube::ResourceRequirements::requests);
  PodTotals limits = aggregate(spec, &kube::ResourceRequirements::limits);
  // Overhead counts in every request, but only in limits the pod has.
  requests.cpu_milli += milli_of(spec.overhead, "cpu");
  if (limits.cpu_milli > 0) limits.cpu_milli += milli_of(spec.overhead, "cpu");
  if (limits.memory_milli > 0) limits.memory_milli += milli_of(spec.overhead, "memory");

  r.cpu_shares = milli_cpu_to_shares(requests.cpu_milli);
  const bool guaranteed = qos == QosClass::kGuaranteed;
  if (guaranteed || all_limit(spec, "cpu")) r.cpu_quota_us = milli_cpu_to_quota(limits.cpu_milli, r.cpu_period_us);
  if (guaranteed || all_limit(spec, "memory")) r.memory_limit_bytes = milli_to_value(limits.memory_milli);
  return r;
}

}  // namespace nodeagent::runtime::cgroups
