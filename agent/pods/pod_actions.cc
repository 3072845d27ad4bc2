#include "agent/pods/pod_actions.h"

#include <algorithm>

#include <fmt/format.h>

namespace nodeagent::pods {

namespace {

using runtime::ContainerStateKind;

bool is_running(const ContainerInstance* c) {
  return c && (c->state.state == ContainerStateKind::kRunning || c->state.state == ContainerStateKind::kCreated);
}
bool is_exited(const ContainerInstance* c) { return c && c->state.state == ContainerStateKind::kExited; }

std::string pod_ref(const kube::Pod& pod) {
  return fmt::format("{}_{}({})", pod.metadata.name, pod.metadata.namespace_, pod.metadata.uid);
}

// Decides whether an exited container may be restarted now; if not, records CrashLoopBackOff.
// Returns true when the restart should happen in this sync.
bool restart_allowed(const kube::Pod& pod, const ContainerInstance& last, const Backoff& backoff,
                     Clock::TimePoint now, PodActions& actions) {
  auto key = backoff_key(pod, last.name);
  auto finished = last.state.finished_at.value_or(now);
  if (!backoff.in_backoff(key, finished)) return true;
  auto delay = backoff.delay(key);
  actions.waiting[last.name] = WaitingReason{
      "CrashLoopBackOff",
      fmt::format("back-off {}s restarting failed container={} pod={}",
                  std::chrono::duration_cast<std::chrono::seconds>(delay).count(), last.name, pod_ref(pod))};
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(delay - (now - finished));
  if (remaining < std::chrono::milliseconds(0)) remaining = std::chrono::milliseconds(0);
  if (!actions.requeue_after || remaining < *actions.requeue_after) actions.requeue_after = remaining;
  return false;
}

void kill_running(const PodRuntimeState& state, const std::vector<kube::Container>& containers, bool reverse,
                  const std::string& reason, PodActions& actions) {
  std::vector<const kube::Container*> order;
  for (const auto& c : containers) order.push_back(&c);
  if (reverse) std::reverse(order.begin(), order.end());
  for (const auto* c : order) {
    const auto* inst = state.latest(c->name);
    if (is_running(inst)) actions.kill.push_back({inst->id, c->name, reason, std::nullopt, ""});
  }
}

// A running container whose liveness or startup probe has failed is killed with the probe's
// message (and grace, if it has its own); its restart policy then decides what follows.
void kill_on_probe_failure(const PodRuntimeState& state, const kube::Container& c, const ContainerInstance& inst,
                           PodActions& actions) {
  auto it = state.probes.kill.find(c.name);
  if (it == state.probes.kill.end()) return;
  const ProbeFailure& failure = it->second;
  if (!failure.container_id.empty() && failure.container_id != inst.id) return;  // an older instance's
  actions.kill.push_back({inst.id, c.name, failure.message, failure.grace, failure.message});
}

}  // namespace

std::string backoff_key(const kube::Pod& pod, const std::string& container) {
  return pod.metadata.uid + "/" + container;
}

bool should_restart(const std::string& restart_policy, int32_t exit_code) {
  if (restart_policy == "Always") return true;
  if (restart_policy == "OnFailure") return exit_code != 0;
  return false;
}

PodActions compute_pod_actions(const kube::Pod& pod, const PodRuntimeState& state, const Backoff& backoff,
                               Clock::TimePoint now) {
  PodActions actions;
  const auto& spec = pod.spec;

  if (!state.sandbox_ready) actions.create_sandbox = true;

  // 1. Init containers, in order.
  bool init_done = true;
  for (size_t i = 0; i < spec.init_containers.size(); ++i) {
    const auto& c = spec.init_containers[i];
    const auto* last = state.latest(c.name);
    uint32_t next_attempt = last ? last->attempt + 1 : 0;
    if (c.is_sidecar()) {
      if (is_running(last)) {  // started: the next one may go
        kill_on_probe_failure(state, c, *last, actions);
        continue;
      }
      if (!last) {
        actions.start.push_back({c.name, true, i, 0, false});
      } else if (restart_allowed(pod, *last, backoff, now, actions)) {
        actions.start.push_back({c.name, true, i, next_attempt, true});
      }
      init_done = false;  // wait until it runs before starting what follows
      break;
    }
    if (is_exited(last) && last->state.exit_code == 0) continue;  // succeeded
    init_done = false;
    if (is_running(last)) break;  // still running: wait for it
    if (!last) {
      actions.start.push_back({c.name, true, i, 0, false});
      break;
    }
    // Failed.
    if (spec.restart_policy == "Never") {
      actions.pod_failed = true;
      actions.pod_failed_message = fmt::format("init container {} failed with exit code {}", c.name, last->state.exit_code);
      break;
    }
    if (restart_allowed(pod, *last, backoff, now, actions)) actions.start.push_back({c.name, true, i, next_attempt, true});
    break;
  }

  if (actions.pod_failed) {
    kill_running(state, spec.containers, false, "pod failed", actions);
    kill_running(state, spec.init_containers, true, "pod failed", actions);
    actions.pod_finished = true;
    return actions;
  }

  // 2. App containers, in order, once init is done.
  if (init_done) {
    bool any_active = false;  // a regular container is running or will be (re)started
    for (size_t i = 0; i < spec.containers.size(); ++i) {
      const auto& c = spec.containers[i];
      const auto* last = state.latest(c.name);
      if (!last) {
        actions.start.push_back({c.name, false, i, 0, false});
        any_active = true;
        continue;
      }
      if (is_running(last)) {
        any_active = true;
        kill_on_probe_failure(state, c, *last, actions);
        continue;
      }
      if (!should_restart(spec.restart_policy, last->state.exit_code)) continue;
      any_active = true;
      if (restart_allowed(pod, *last, backoff, now, actions))
        actions.start.push_back({c.name, false, i, last->attempt + 1, true});
    }
    if (!any_active && !spec.containers.empty()) {
      actions.pod_finished = true;
      kill_running(state, spec.init_containers, true, "all regular containers finished", actions);
    }
  }
  return actions;
}

}  // namespace nodeagent::pods
