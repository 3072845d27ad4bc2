// Kubelet-owned pod conditions (see conditions.h). Messages are byte-for-byte kubelet's, since
// operators and tests grep for them.
#include "agent/status/conditions.h"

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

kube::PodCondition make(const char* type, const char* status, std::string reason = {}, std::string message = {}) {
  kube::PodCondition c;
  c.type = type;
  c.status = status;
  c.reason = std::move(reason);
  c.message = std::move(message);
  return c;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

// An app container is running or has run: the pod was initialized at some point.
bool any_regular_container_started(const kube::PodSpec& spec, const std::vector<kube::ContainerStatus>& statuses) {
  if (spec.init_containers.empty()) return false;
  for (const auto& container : spec.containers) {
    const kube::ContainerStatus* s = find_status(statuses, container.name);
    if (s != nullptr && (s->state.running || s->state.terminated)) return true;
  }
  return false;
}

}  // namespace

std::string go_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += " ";
    out += names[i];
  }
  return out + "]";
}

bool is_kubelet_condition(const std::string& type) {
  return type == kCondPodScheduled || type == kCondReadyToStartContainers || type == kCondInitialized ||
         type == kCondContainersReady || type == kCondReady;
}

kube::PodCondition ready_to_start_containers_condition(bool sandbox_ready) {
  return make(kCondReadyToStartContainers, sandbox_ready ? "True" : "False");
}

kube::PodCondition initialized_condition(const kube::Pod& pod, const std::vector<kube::ContainerStatus>& statuses,
                                         const std::string& phase) {
  std::vector<std::string> unknown, incomplete;
  for (const auto& container : pod.spec.init_containers) {
    const kube::ContainerStatus* s = find_status(statuses, container.name);
    if (s == nullptr) {
      unknown.push_back(container.name);
      continue;
    }
    // A sidecar counts once it has started; a regular init container once it completed.
    const bool done = container.is_sidecar() ? s->started.value_or(false) : s->ready;
    if (!done) incomplete.push_back(container.name);
  }
  if (phase == kPhaseSucceeded && unknown.empty()) {
    return make(kCondInitialized, "True", kReasonPodCompleted);
  }
  if (any_regular_container_started(pod.spec, statuses)) return make(kCondInitialized, "True");

  std::vector<std::string> messages;
  if (!unknown.empty()) messages.push_back("containers with unknown status: " + go_list(unknown));
  if (!incomplete.empty()) messages.push_back("containers with incomplete status: " + go_list(incomplete));
  if (!messages.empty()) {
    return make(kCondInitialized, "False", kReasonContainersNotInitialized, join(messages));
  }
  return make(kCondInitialized, "True");
}

kube::PodCondition containers_ready_condition(const kube::Pod& pod,
                                              const std::vector<kube::ContainerStatus>& statuses,
                                              const std::string& phase) {
  std::vector<std::string> unknown, unready;
  auto check = [&](const kube::Container& container) {
    const kube::ContainerStatus* s = find_status(statuses, container.name);
    if (s == nullptr) {
      unknown.push_back(container.name);
    } else if (!s->ready) {
      unready.push_back(container.name);
    }
  };
  for (const auto& container : pod.spec.init_containers) {
    if (container.is_sidecar()) check(container);
  }
  for (const auto& container : pod.spec.containers) check(container);

  if (phase == kPhaseSucceeded && unknown.empty()) {
    return make(kCondContainersReady, "False", kReasonPodCompleted);
  }
  if (phase == kPhaseFailed) return make(kCondContainersReady, "False", kReasonPodFailed);

  std::vector<std::string> messages;
  if (!unknown.empty()) messages.push_back("containers with unknown status: " + go_list(unknown));
  if (!unready.empty()) messages.push_back("containers with unready status: " + go_list(unready));
  if (!messages.empty()) return make(kCondContainersReady, "False", kReasonContainersNotReady, join(messages));
  return make(kCondContainersReady, "True");
}

kube::PodCondition pod_ready_condition(const kube::Pod& pod, const std::vector<kube::PodCondition>& conditions,
                                       const std::vector<kube::ContainerStatus>& statuses, const std::string& phase) {
  kube::PodCondition containers_ready = containers_ready_condition(pod, statuses, phase);
  if (containers_ready.status != "True") {
    containers_ready.type = kCondReady;
    return containers_ready;
  }
  std::vector<std::string> messages;
  for (const auto& gate : pod.spec.readiness_gates) {
    const kube::PodCondition* found = nullptr;
    for (const auto& c : conditions) {
      if (c.type == gate.condition_type) found = &c;
    }
    if (found == nullptr) {
      messages.push_back("corresponding condition of pod readiness gate \"" + gate.condition_type +
                         "\" does not exist.");
    } else if (found->status != "True") {
      messages.push_back("the status of pod readiness gate \"" + gate.condition_type + "\" is not \"True\", but " +
                         found->status);
    }
  }
  if (!messages.empty()) return make(kCondReady, "False", kReasonReadinessGatesNotReady, join(messages));
  return make(kCondReady, "True");
}

std::vector<kube::PodCondition> with_transition_times(std::vector<kube::PodCondition> conditions,
                                                      const std::vector<kube::PodCondition>& previous,
                                                      kube::Time now) {
  for (auto& condition : conditions) {
    const kube::PodCondition* old = nullptr;
    for (const auto& p : previous) {
      if (p.type == condition.type) old = &p;
    }
    if (!is_kubelet_condition(condition.type)) continue;  // kept as the API has it
    if (old != nullptr && old->status == condition.status && old->last_transition_time) {
      condition.last_transition_time = old->last_transition_time;
    } else {
      condition.last_transition_time = now;
    }
  }
  return conditions;
}

}  // namespace nodeagent::status
