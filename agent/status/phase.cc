// Pod phase from container statuses (see phase.h); the counters mirror kubelet's getPhase.
#include "agent/status/phase.h"


namespace nodeagent::status {

namespace {

const kube::ContainerStatus* find_status(const std::vector<kube::ContainerStatus>& statuses,
                                         const std::string& name) {
  for (const auto& s : statuses) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

bool is_terminal_phase(const std::string& phase) { return phase == kPhaseSucceeded || phase == kPhaseFailed; }

bool is_static_pod(const kube::Pod& pod) {
  auto it = pod.metadata.annotations.find("kubernetes.io/config.source");
  return it != pod.metadata.annotations.end() && it->second != "api";
}

std::string compute_phase(const kube::Pod& pod, const std::vector<kube::ContainerStatus>& statuses,
                          bool pod_is_terminal, bool pod_has_initialized) {
  const kube::PodSpec& spec = pod.spec;
  int pending_sidecars = 0;
  int pending_init = 0;
  int failed_init = 0;

  for (const auto& container : spec.init_containers) {
    if (container.is_sidecar()) continue;
    const kube::ContainerStatus* status = find_status(statuses, container.name);
    if (status == nullptr || status->state.running) {
      ++pending_init;
    } else if (status->state.terminated) {
      if (status->state.terminated->exit_code != 0) ++failed_init;
    } else if (status->state.waiting && status->last_state.terminated) {
      if (status->last_state.terminated->exit_code != 0) ++failed_init;
    } else {
      ++pending_init;
    }
  }

  int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& container : spec.init_containers) {
    if (!container.is_sidecar()) continue;
    const kube::ContainerStatus* status = find_status(statuses, container.name);
    if (status == nullptr) {
      ++unknown;
    } else if (status->state.running) {
      if (!status->started.value_or(false)) ++pending_sidecars;
      ++running;
    } else if (status->state.terminated) {
      // A stopped sidecar does not count for the phase.
    } else if (status->state.waiting) {
      if (!status->last_state.terminated) {
        ++pending_sidecars;
        ++waiting;
      }
    } else {
      ++pending_sidecars;
      ++unknown;
    }
  }

  for (const auto& container : spec.containers) {
    const kube::ContainerStatus* status = find_status(statuses, container.name);
    if (status == nullptr) {
      ++unknown;
    } else if (status->state.running) {
      ++running;
    } else if (status->state.terminated) {
      ++stopped;
      if (status->state.terminated->exit_code == 0) ++succeeded;
    } else if (status->state.waiting) {
      if (status->last_state.terminated) {
        ++stopped;  // restarting after an exit: it has run
      } else {
        ++waiting;
      }
    } else {
      ++unknown;
    }
  }

  if (failed_init > 0 && spec.restart_policy == "Never") return kPhaseFailed;
  if (pending_init > 0 || (pending_sidecars > 0 && !pod_has_initialized) || waiting > 0) return kPhasePending;
  if (running > 0 && unknown == 0) return kPhaseRunning;
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (pod_is_terminal && !is_static_pod(pod)) {
      return stopped == succeeded ? kPhaseSucceeded : kPhaseFailed;
    }
    if (spec.restart_policy == "Always") return kPhaseRunning;  // all restarting
    if (stopped == succeeded) return kPhaseSucceeded;
    if (spec.restart_policy == "Never") return kPhaseFailed;
    return kPhaseRunning;  // OnFailure: the failed ones are restarting
  }
  return kPhasePending;
}

}  // namespace nodeagent::status
