// Runtime container instances -> v1 ContainerStatus (see container_statuses.h). The order of the
// steps follows kubelet's convertToAPIContainerStatuses, because each step may overwrite what
// an earlier one wrote.
#include "agent/status/container_statuses.h"

#include <algorithm>
#include <map>

namespace nodeagent::status {

namespace {

using kube::ContainerState;
using kube::ContainerStatus;
using pods::ContainerInstance;
using runtime::ContainerStateKind;

std::string terminated_reason(const ContainerInstance& instance) {
  if (instance.state.oom_killed) return kReasonOOMKilled;
  return instance.state.exit_code == 0 ? kReasonCompleted : kReasonError;
}

// One runtime instance as a v1 status (state, restartCount, ids). `old` is this container's
// previous v1 status, if any.
ContainerStatus convert_instance(const ContainerInstance& instance, const ContainerStatus* old) {
  ContainerStatus status;
  status.name = instance.name;
  status.restart_count = static_cast<int32_t>(instance.attempt);
  status.image_id = instance.image_id;
  status.container_id = container_id_uri(instance.id);
  status.stop_signal = instance.stop_signal;
  switch (instance.state.state) {
    case ContainerStateKind::kRunning:
      status.state.running = kube::ContainerStateRunning{instance.state.started_at};
      break;
    case ContainerStateKind::kCreated:
      // Created but not started: "waiting to be running", with no reason of its own.
      status.state.waiting = kube::ContainerStateWaiting{};
      break;
    case ContainerStateKind::kExited: {
      kube::ContainerStateTerminated terminated;
      terminated.exit_code = instance.state.exit_code;
      terminated.reason = terminated_reason(instance);
      terminated.message = instance.termination_message;
      terminated.started_at = instance.state.started_at;
      terminated.finished_at = instance.state.finished_at;
      terminated.container_id = status.container_id;
      status.state.terminated = terminated;
      break;
    }
    case ContainerStateKind::kUnknown:
      if (old != nullptr && old->state.running) {
        // It ran and is gone without an exit status: report it as ended rather than waiting,
        // so that a run-once pod is not taken for one that never ran.
        kube::ContainerStateTerminated terminated;
        terminated.exit_code = 137;
        terminated.reason = kReasonStatusUnknown;
        terminated.message = "The container could not be located when the pod was terminated";
        status.state.terminated = terminated;
        status.restart_count = old->restart_count + 1;
      } else {
        status.state.waiting = kube::ContainerStateWaiting{};
      }
      break;
  }
  return status;
}

bool is_default_waiting(const ContainerState& state, const std::string& default_reason) {
  return state.waiting && state.waiting->reason == default_reason;
}

// lastState when containerd no longer has the instance before the newest one: carried over from
// the previous status (this is what lets a restarted agent keep showing the last termination).
std::optional<kube::ContainerStateTerminated> carried_last_termination(const ContainerStatus& old,
                                                                       const std::string& current_id) {
  if (old.container_id != current_id && old.state.terminated &&
      old.state.terminated->container_id != current_id) {
    return old.state.terminated;
  }
  if (old.last_state.terminated && old.last_state.terminated->container_id != current_id) {
    return old.last_state.terminated;
  }
  return std::nullopt;
}

bool any_app_container_created(const kube::PodSpec& spec, const pods::PodRuntimeState& state) {
  return std::any_of(spec.containers.begin(), spec.containers.end(),
                     [&](const kube::Container& c) { return state.latest(c.name) != nullptr; });
}

const ProbeResult* result_for(const std::map<std::string, ProbeResult>& results, const std::string& name,
                              const ContainerInstance* latest) {
  auto it = results.find(name);
  if (it == results.end()) return nullptr;
  const std::string& probed = it->second.container_id;
  if (!probed.empty() && (latest == nullptr || probed != latest->id)) return nullptr;  // stale
  return &it->second;
}

// No probe -> true; a probe with no (current) result -> false, kubelet's initial Failure.
bool probe_passed(const std::optional<kube::Probe>& probe, const std::map<std::string, ProbeResult>& results,
                  const std::string& name, const ContainerInstance* latest) {
  if (!probe) return true;
  const ProbeResult* result = result_for(results, name, latest);
  return result != nullptr && result->success;
}

}  // namespace

std::string container_id_uri(const std::string& containerd_id) {
  return containerd_id.empty() ? std::string() : "containerd://" + containerd_id;
}

bool should_container_be_restarted(const kube::Container& container, const kube::PodSpec& spec,
                                   const ContainerInstance* latest) {
  if (latest == nullptr) return true;  // never ran (or every instance was removed)
  switch (latest->state.state) {
    case ContainerStateKind::kRunning:
      return false;
    case ContainerStateKind::kCreated:
    case ContainerStateKind::kUnknown:
      return true;
    case ContainerStateKind::kExited:
      break;
  }
  if (container.is_sidecar()) return true;
  if (spec.restart_policy == "Never") return false;
  if (spec.restart_policy == "OnFailure") return latest->state.exit_code != 0;
  return true;
}

std::vector<ContainerStatus> convert_container_statuses(const kube::Pod& pod, const pods::PodRuntimeState& state,
                                                        const std::vector<ContainerStatus>& previous,
                                                        const std::vector<kube::Container>& containers,
                                                        bool is_init) {
  const bool has_init_containers = !pod.spec.init_containers.empty();
  const std::string default_reason = has_init_containers ? kPodInitializing : kContainerCreating;

  std::map<std::string, const ContainerStatus*> old_by_name;
  for (const auto& old : previous) old_by_name[old.name] = &old;
  auto old_of = [&](const std::string& name) -> const ContainerStatus* {
    auto it = old_by_name.find(name);
    return it == old_by_name.end() ? nullptr : it->second;
  };

  std::vector<ContainerStatus> statuses;
  statuses.reserve(containers.size());
  for (const auto& container : containers) {
    const ContainerStatus* old = old_of(container.name);
    const ContainerInstance* latest = state.latest(container.name);
    const ContainerInstance* before = state.previous(container.name);

    // 1. Defaults: waiting with the default reason, counters carried from the previous status;
    //    a container that had terminated keeps its whole previous status.
    ContainerStatus status;
    status.name = container.name;
    status.image = container.image;
    status.state.waiting = kube::ContainerStateWaiting{default_reason, ""};
    if (old != nullptr) {
      if (old->state.terminated) {
        status = *old;
      } else {
        status.restart_count = old->restart_count;
        status.last_state = old->last_state;
      }
    }

    if (latest == nullptr) {
      // 2. Gone from containerd although it was running: it ended with an unknown status.
      if (old != nullptr && !old->state.terminated && old->state.running &&
          is_default_waiting(status.state, default_reason) && !status.last_state.terminated) {
        kube::ContainerStateTerminated terminated;
        terminated.exit_code = 137;
        terminated.reason = kReasonStatusUnknown;
        terminated.message =
            "The container could not be located when the pod was deleted.  The container used to be Running";
        status.last_state = kube::ContainerState{};
        status.last_state.terminated = terminated;
        if (!pod.metadata.deletion_timestamp) status.restart_count += 1;
      }
    } else {
      // 3. The newest instance gives state and counters; the one before it gives lastState.
      ContainerStatus current = convert_instance(*latest, old);
      current.image = container.image;
      if (before != nullptr) {
        current.last_state = convert_instance(*before, nullptr).state;
      } else if (old != nullptr) {
        current.restart_count = std::max(current.restart_count, old->restart_count);
        if (auto carried = carried_last_termination(*old, current.container_id)) {
          current.last_state.terminated = carried;
        }
      }
      status = current;
    }

    // 4. Containers the worker will start again show why they are waiting.
    if (is_init) {
      if (latest != nullptr && latest->state.state == ContainerStateKind::kExited && latest->state.exit_code == 0) {
        statuses.push_back(std::move(status));
        continue;  // a completed init container is never run again
      }
      if (latest == nullptr && !container.is_sidecar() && any_app_container_created(pod.spec, state) &&
          status.state.waiting) {
        // Its instance is gone but app containers exist, so it must have completed.
        status.state = kube::ContainerState{};
        kube::ContainerStateTerminated completed;
        completed.reason = kReasonCompleted;
        completed.message =
            "Unable to get init container status from container runtime and pod has been initialized, "
            "treat it as exited normally";
        status.state.terminated = completed;
        statuses.push_back(std::move(status));
        continue;
      }
    }
    auto waiting = state.waiting.find(container.name);
    if (waiting != state.waiting.end() && should_container_be_restarted(container, pod.spec, latest)) {
      if (status.state.terminated) status.last_state = status.state;
      status.state = kube::ContainerState{};
      status.state.waiting = kube::ContainerStateWaiting{waiting->second.reason, waiting->second.message};
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::vector<ContainerStatus> with_probe_results(std::vector<ContainerStatus> statuses,
                                                const std::vector<kube::Container>& containers,
                                                const pods::PodRuntimeState& state, const ProbeResults& probes,
                                                bool is_init) {
  for (std::size_t i = 0; i < statuses.size() && i < containers.size(); ++i) {
    ContainerStatus& status = statuses[i];
    const kube::Container& container = containers[i];
    const ContainerInstance* latest = state.latest(container.name);
    const bool running = status.state.running.has_value();

    const bool started = running && probe_passed(container.startup_probe, probes.startup, container.name, latest);
    status.started = started;
    if (is_init && !container.is_sidecar()) {
      status.ready = status.state.terminated && status.state.terminated->exit_code == 0;
      continue;
    }
    status.ready = started && probe_passed(container.readiness_probe, probes.readiness, container.name, latest);
  }
  return statuses;
}

}  // namespace nodeagent::status
