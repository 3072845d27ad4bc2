// The edges the pod syncer drives besides the container runtime: pod networking, pod cgroups,
// status and events. Each is a small interface so that the syncer is unit-tested with fakes and
// the daemon plugs in the real modules (network/, runtime/cgroups/, agent/status/, agent/events/)
// through thin adapters (agent/daemon/adapters.*).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"
#include "agent/pods/pod_runtime_state.h"
#include "util/result.h"
#include "runtime/sandbox.h"

namespace nodeagent::pods {

struct PodNetworkInfo {
  std::vector<std::string> pod_ips;
  std::string host_ip;
};

class PodNetworkPort {
 public:
  virtual ~PodNetworkPort() = default;
  // Gives the pod's netns its interface and IP (idempotent); host-network pods get host facts.
  virtual Result<PodNetworkInfo> setup(const kube::Pod& pod, const runtime::SandboxInfo& sandbox) = 0;
  // What is set up now, NotFound if nothing (after an agent restart: read back from the node).
  virtual Result<PodNetworkInfo> status(const kube::Pod& pod) = 0;
  virtual Status teardown(const std::string& pod_uid, const runtime::SandboxInfo& sandbox) = 0;
};

class PodCgroupPort {
 public:
  virtual ~PodCgroupPort() = default;
  // Creates the pod's cgroup under its QoS class and applies the pod's limits (idempotent).
  virtual Status ensure(const kube::Pod& pod) = 0;
  // linux.cgroupsPath for a container of the pod, in the cgroup driver's own form (cgroupfs:
  // "/kubepods/burstable/pod<uid>/<id>"; systemd: "slice:prefix:name"): the syncer never
  // builds one itself.
  virtual std::string container_cgroups_path(const kube::Pod& pod, const std::string& container_id) = 0;
  virtual Status remove(const kube::Pod& pod) = 0;
};

class PodStatusPort {
 public:
  virtual ~PodStatusPort() = default;
  // Generates and stores the pod's v1 status from what the runtime says.
  virtual void update(const kube::Pod& pod, const PodRuntimeState& state) = 0;
  virtual std::optional<kube::PodStatus> current(const std::string& uid) = 0;
  virtual void remove(const std::string& uid) = 0;
};

// The prober (probes/, the probes issue): it probes the pod's running containers on its own
// timer loop and keeps the latest results, which every sync reads.
class ProbePort {
 public:
  virtual ~ProbePort() = default;
  // Starts, updates or stops probing what `state` shows running (idempotent; every sync calls it).
  virtual void sync(const kube::Pod& pod, const PodRuntimeState& state) = 0;
  virtual ProbeResults results(const std::string& pod_uid) = 0;
  virtual void remove(const std::string& pod_uid) = 0;  // the pod is gone
};

// Lifecycle hooks (exec, httpGet, sleep handlers of postStart and preStop).
class LifecycleHookPort {
 public:
  virtual ~LifecycleHookPort() = default;
  // After the container started and before the next one starts; an error kills the container
  // (FailedPostStartHook).
  virtual Status post_start(const kube::Pod& pod, const kube::Container& container, const std::string& container_id) = 0;
  // Before the stop signal, within `grace` (what it takes is gone from the grace period).
  virtual Status pre_stop(const kube::Pod& pod, const kube::Container& container, const std::string& container_id,
                          std::chrono::seconds grace) = 0;
};

class EventPort {
 public:
  virtual ~EventPort() = default;
  // type: "Normal" | "Warning"; reason: kubelet's (Pulling, Pulled, Created, Started, Killing,
  // BackOff, Failed, FailedMount, FailedCreatePodSandBox, ...).
  virtual void record(const kube::Pod& pod, const std::string& type, const std::string& reason,
                      const std::string& message) = 0;
};

}  // namespace nodeagent::pods
