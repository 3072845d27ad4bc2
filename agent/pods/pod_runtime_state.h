// What the runtime says about one pod right now: its sandbox and every container instance the
// agent created for it (found by the agent's labels on containerd containers), plus what the
// pod worker knows that containerd does not (why a container is waiting). Built by observe.h;
// read by the planner (pod_actions.h) and the status generator (agent/status/).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/pods/probe_results.h"
#include "runtime/types.h"

namespace nodeagent::pods {

// Labels the agent puts on every containerd container; adoption after a restart reads them.
namespace labels {
inline constexpr const char* kPodUid = "io.nodeagent.pod.uid";
inline constexpr const char* kPodName = "io.nodeagent.pod.name";
inline constexpr const char* kPodNamespace = "io.nodeagent.pod.namespace";
inline constexpr const char* kContainerName = "io.nodeagent.container.name";
inline constexpr const char* kContainerKind = "io.nodeagent.container.kind";  // init | app
inline constexpr const char* kAttempt = "io.nodeagent.container.attempt";      // restart count
inline constexpr const char* kManagedBy = "io.nodeagent.managed-by";           // node name
// The effective stop signal ("SIGTERM"), fixed at creation as the CRI runtime keeps it.
inline constexpr const char* kStopSignal = "io.nodeagent.container.stop-signal";
}  // namespace labels

// The attempt (restart count) recorded in a container's labels; 0 when missing or malformed.
inline uint32_t attempt_of(const runtime::Labels& l) {
  auto it = l.find(labels::kAttempt);
  if (it == l.end()) return 0;
  try {
    return static_cast<uint32_t>(std::stoul(it->second));
  } catch (...) {
    return 0;
  }
}

// One containerd container created for a pod's container, i.e. one attempt.
struct ContainerInstance {
  std::string id;                  // containerd id
  std::string name;                // the pod's container name
  bool init = false;
  uint32_t attempt = 0;            // restart count when it was created
  runtime::ContainerState state;   // created/running/exited, exit code, times, oom
  std::string image_ref;
  std::string image_id;            // "sha256:..." of the image config
  std::string stop_signal;         // labels::kStopSignal; "" for containers created without it
  std::string termination_message; // read from terminationMessagePath (or log tail) at exit
};

// Why a container is not running, as the pod worker last saw it: waiting reason + message
// (ContainerCreating, ErrImagePull, ImagePullBackOff, CrashLoopBackOff,
// CreateContainerConfigError, CreateContainerError, PodInitializing).
struct WaitingReason {
  std::string reason;
  std::string message;
};

struct PodRuntimeState {
  std::string pod_uid;
  bool sandbox_ready = false;          // namespaces (and network) set up
  std::string sandbox_error;           // why set-up failed, if it did
  std::vector<std::string> pod_ips;
  std::string host_ip;
  // All instances per container name, newest (highest attempt) last.
  std::map<std::string, std::vector<ContainerInstance>> containers;
  // Filled by the pod worker for containers it could not start on the last sync.
  std::map<std::string, WaitingReason> waiting;
  // Set by the worker when the pod as a whole ended (activeDeadlineSeconds, admission).
  std::optional<std::string> pod_failure_reason;
  std::string pod_failure_message;
  // What the probes concluded (ProbePort), for the planner and the status.
  ProbeResults probes;

  // Newest instance of a container, nullptr if it never ran.
  const ContainerInstance* latest(const std::string& name) const {
    auto it = containers.find(name);
    if (it == containers.end() || it->second.empty()) return nullptr;
    return &it->second.back();
  }
  // The instance before the newest one (status.lastState), nullptr if none.
  const ContainerInstance* previous(const std::string& name) const {
    auto it = containers.find(name);
    if (it == containers.end() || it->second.size() < 2) return nullptr;
    return &it->second[it->second.size() - 2];
  }
};

}  // namespace nodeagent::pods
