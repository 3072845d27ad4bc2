// Pod cgroups, laid out as kubelet does: QoS parents `kubepods` (Guaranteed pods directly in
// it), `kubepods/burstable`, `kubepods/besteffort`; one `pod<uid>` cgroup per pod carrying the
// pod's limits; containers below it, created by runc from the cgroupsPath we put in the OCI
// spec. Everything hangs under a configurable prefix (e.g. `nodeagent-<node>`), so several
// simulated nodes and tests on one machine never collide.
//
// CgroupManager is the seam between drivers: the cgroupfs driver (cgroupfs_driver.h, cgroup v1
// and v2) writes the files itself; a systemd driver (slices over sd-bus) comes later behind the
// same interface, with cgroupsPath in runc's "slice:prefix:name" form. The manager is also the
// OomSource (oom_source.h) that reads a container's OOM kills back from such a cgroupsPath.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kube/qos_class.h"
#include "runtime/cgroups/oom_source.h"
#include "util/result.h"

namespace nodeagent::runtime::cgroups {

// The agent's one QoS enum (kube is a lower layer than runtime).
using QosClass = kube::QosClass;

constexpr std::string_view qos_name(QosClass qos) { return kube::to_string(qos); }

// The pod-level limits (sums over the pod's containers, as kubelet computes them: see
// resource_config_for_pod in resource_config.h).
struct PodResources {
  int64_t cpu_shares = 0;          // 0: unset (BestEffort pods get the minimum, 2)
  int64_t cpu_quota_us = 0;        // 0: no CPU limit
  int64_t cpu_period_us = 100000;
  int64_t memory_limit_bytes = 0;  // 0: no memory limit
  int64_t pids_limit = 0;          // 0: no limit
};

struct PodCgroup {
  std::string pod_uid;
  QosClass qos = QosClass::kBestEffort;
  std::string path;                // cgroup path from the hierarchy root, "/<prefix>/kubepods/..."
};

class CgroupManager : public OomSource {
 public:
  virtual ~CgroupManager() = default;

  // Creates the QoS parents (idempotent).
  virtual Status ensure_qos_parents() = 0;
  // Creates the pod cgroup if missing and (re)applies `resources` to it. Idempotent.
  virtual Status ensure_pod(const std::string& pod_uid, QosClass qos, const PodResources& resources) = 0;
  // The pod cgroup's path from the hierarchy root: "/<prefix>/kubepods/burstable/pod<uid>".
  virtual std::string pod_cgroup_path(const std::string& pod_uid, QosClass qos) const = 0;
  // What runc gets as linux.cgroupsPath for a container of the pod (cgroupfs: a path from the
  // hierarchy root; systemd: "slice:prefix:name"); oom_killed() takes the same form.
  virtual std::string container_cgroups_path(const std::string& pod_uid, QosClass qos,
                                             const std::string& container_id) const = 0;
  // Removes the pod cgroup (whatever its QoS class) and leftover empty container cgroups in it,
  // retrying while the kernel says it is busy (processes still exiting) until `timeout`;
  // Unavailable if it stays busy. No error when it does not exist.
  virtual Status remove_pod(const std::string& pod_uid, std::chrono::milliseconds timeout) = 0;
  // Pod cgroups that exist now (for adoption and leak checks).
  virtual Result<std::vector<PodCgroup>> list_pods() = 0;
};

}  // namespace nodeagent::runtime::cgroups
