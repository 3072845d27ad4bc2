// kubelet's CPU and memory arithmetic in one place (pkg/kubelet/cm/helpers_linux.go and the
// cgroup v2 conversion of its cgroup manager): requests.cpu -> cpu.shares, limits.cpu -> CFS
// quota, shares -> cgroup v2 cpu.weight, and the pod cgroup's limits (ResourceConfigForPod).
// Both the container config (agent/pods) and the pod cgroup (CgroupManager::ensure_pod) take
// their numbers from here, so that a container and its pod never disagree.
#pragma once

#include <cstdint>

#include "kube/types.h"
#include "runtime/cgroups/cgroup_manager.h"

namespace nodeagent::runtime::cgroups {

inline constexpr int64_t kMinShares = 2;             // what BestEffort gets; the kernel's minimum
inline constexpr int64_t kMaxShares = 262144;        // the kernel's maximum
inline constexpr int64_t kSharesPerCpu = 1024;
inline constexpr int64_t kMilliCpuPerCpu = 1000;
inline constexpr int64_t kQuotaPeriodUs = 100000;    // the default CFS period (100 ms)
inline constexpr int64_t kMinQuotaUs = 1000;         // the kernel refuses quotas below 1 ms

// MilliCPUToShares: 0 -> 2 (not the kernel's 1024 for "unset"), else milli*1024/1000 in [2, 262144].
int64_t milli_cpu_to_shares(int64_t milli);
// MilliCPUToQuota: 0 -> 0 (no limit), else milli*period/1000, at least 1000 us.
int64_t milli_cpu_to_quota(int64_t milli, int64_t period_us);
// CpuSharesToCpuWeight (v1 cpu.shares -> v2 cpu.weight, [2, 262144] -> [1, 10000]); 0 for unset.
int64_t shares_to_weight(int64_t shares);

// ResourceConfigForPod: the pod cgroup's limits for a pod of class `qos`. Requests and limits
// are PodRequests/PodLimits (app containers and sidecars summed, the largest init container
// wins when it is bigger, overhead added). Guaranteed: shares, quota and memory; Burstable:
// shares, and quota / memory only when every container declares that limit; BestEffort: the
// minimum shares only. CPU quota is always enforced (kubelet's --cpu-cfs-quota default).
PodResources resource_config_for_pod(const kube::PodSpec& spec, QosClass qos);

}  // namespace nodeagent::runtime::cgroups
