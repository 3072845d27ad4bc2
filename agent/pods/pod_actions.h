// The pure planner, after kubelet's computePodActions: from the pod's spec and what the runtime
// says about it, decide what this sync must do. No I/O; unit-tested without fakes.
//
// Rules (kubelet's, see UPSTREAM-NOTES.md):
//  - Init containers run one at a time, in order, each to success before the next; a failed one
//    is restarted per restartPolicy (Never: the pod fails). Sidecars (init containers with
//    restartPolicy Always) count as done once started and are restarted whenever they exit.
//  - App containers start one at a time in spec order, once every init container is done.
//  - A container that exited is restarted per restartPolicy (Always: any exit; OnFailure:
//    non-zero; Never: not at all), subject to crash-loop back-off: the first restart is
//    immediate, then 10 s, 20 s, ... 300 s, measured from when it finished.
//  - When no regular container runs or will run again, the pod is finished: its sidecars are
//    stopped, last first.
//  - A running container whose liveness or startup probe failed (state.probes.kill) is killed,
//    with the probe's own grace period if it has one; its restart policy decides the rest.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"
#include "agent/pods/backoff.h"
#include "agent/pods/pod_runtime_state.h"

namespace nodeagent::pods {

struct ContainerToStart {
  std::string name;
  bool init = false;
  size_t index = 0;        // into spec.initContainers or spec.containers
  uint32_t attempt = 0;    // restart count of the new instance
  bool restart = false;    // true when replacing an exited instance (back-off applies)
};

struct ContainerToKill {
  std::string id;
  std::string name;
  std::string reason;      // for events and logs
  std::optional<std::chrono::seconds> grace;  // a failed probe's own; else the pod's
  std::string message;     // the Killing event's text; "" = "Stopping container <name>"
};

struct PodActions {
  bool create_sandbox = false;
  std::vector<ContainerToStart> start;   // in this order
  std::vector<ContainerToKill> kill;     // in this order
  std::map<std::string, WaitingReason> waiting;  // containers held back, and why
  std::optional<std::chrono::milliseconds> requeue_after;
  // Set when the pod as a whole fails (an init container failed under restartPolicy Never).
  bool pod_failed = false;
  std::string pod_failed_message;
  // True when every regular container is done for good.
  bool pod_finished = false;
};

// The key under which back-off is tracked for a container of a pod.
std::string backoff_key(const kube::Pod& pod, const std::string& container);

// Whether a container that exited with `exit_code` is restarted under `restart_policy`.
bool should_restart(const std::string& restart_policy, int32_t exit_code);

PodActions compute_pod_actions(const kube::Pod& pod, const PodRuntimeState& state, const Backoff& backoff,
                               Clock::TimePoint now);

}  // namespace nodeagent::pods
