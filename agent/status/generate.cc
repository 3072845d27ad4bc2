// generate_pod_status (see generate.h): the steps of kubelet's generateAPIPodStatus, in order.
#include "agent/status/generate.h"

#include "agent/status/conditions.h"
#include "agent/status/container_statuses.h"
#include "agent/status/phase.h"
#include "kube/qos.h"

namespace nodeagent::status {

namespace {

std::vector<kube::ContainerStatus> concat(const std::vector<kube::ContainerStatus>& a,
                                          const std::vector<kube::ContainerStatus>& b) {
  std::vector<kube::ContainerStatus> all = a;
  all.insert(all.end(), b.begin(), b.end());
  return all;
}

// An app container has run (running or exited) in the runtime: the pod got past its init phase.
bool any_app_container_ran(const kube::PodSpec& spec, const pods::PodRuntimeState& state) {
  for (const auto& container : spec.containers) {
    const pods::ContainerInstance* latest = state.latest(container.name);
    if (latest != nullptr && (latest->state.state == runtime::ContainerStateKind::kRunning ||
                              latest->state.state == runtime::ContainerStateKind::kExited)) {
      return true;
    }
  }
  return false;
}

void set_ips(kube::PodStatus& s, const kube::Pod& pod, const pods::PodRuntimeState& state,
             const kube::PodStatus& previous, const std::string& host_ip) {
  s.host_ip = host_ip.empty() ? state.host_ip : host_ip;
  if (!s.host_ip.empty()) s.host_ips = {kube::PodIP{s.host_ip}};
  for (const auto& ip : state.pod_ips) s.pod_ips.push_back(kube::PodIP{ip});
  if (s.pod_ips.empty() && pod.spec.host_network && !s.host_ip.empty()) {
    s.pod_ips = {kube::PodIP{s.host_ip}};  // host-network pods have the node's IP
  }
  if (s.pod_ips.empty()) {
    // The sandbox is gone (pod stopped, agent restarted): a pod keeps the IP it was given.
    s.pod_ips = previous.pod_ips;
  }
  if (!s.pod_ips.empty()) s.pod_ip = s.pod_ips.front().ip;
}

}  // namespace

kube::PodStatus generate_pod_status(const kube::Pod& pod, const pods::PodRuntimeState& state,
                                    const kube::PodStatus& previous, const ProbeResults& probes,
                                    const std::string& host_ip, Time now, bool pod_is_terminal) {
  kube::PodStatus s;
  set_ips(s, pod, state, previous, host_ip);
  s.qos_class = std::string(kube::to_string(kube::qos_class(pod.spec)));
  s.nominated_node_name = pod.status.nominated_node_name;

  // Container statuses, then ready/started from the prober.
  s.container_statuses = with_probe_results(
      convert_container_statuses(pod, state, previous.container_statuses, pod.spec.containers, false),
      pod.spec.containers, state, probes, false);
  s.init_container_statuses = with_probe_results(
      convert_container_statuses(pod, state, previous.init_container_statuses, pod.spec.init_containers, true),
      pod.spec.init_containers, state, probes, true);
  const auto all_statuses = concat(s.init_container_statuses, s.container_statuses);

  // Phase, never out of a terminal phase; reason and message stay with their phase.
  s.phase = compute_phase(pod, all_statuses, pod_is_terminal, any_app_container_ran(pod.spec, state));
  if (!is_terminal_phase(s.phase)) {
    if (is_terminal_phase(previous.phase)) {
      s.phase = previous.phase;
    } else if (is_terminal_phase(pod.status.phase)) {
      s.phase = pod.status.phase;
    }
  }
  if (s.phase == previous.phase) {
    s.reason = previous.reason.empty() ? pod.status.reason : previous.reason;
    s.message = previous.message.empty() ? pod.status.message : previous.message;
  }
  if (state.pod_failure_reason) {
    // The worker ended the pod as a whole (activeDeadlineSeconds, admission): kubelet's evict path.
    s.phase = kPhaseFailed;
    s.reason = *state.pod_failure_reason;
    s.message = state.pod_failure_message;
  }
  if (is_terminal_phase(pod.status.phase)) s.phase = pod.status.phase;

  // Conditions: those kubelet does not own first, as the API has them, then kubelet's own.
  for (const auto& c : pod.status.conditions) {
    if (!is_kubelet_condition(c.type)) s.conditions.push_back(c);
  }
  s.conditions.push_back(ready_to_start_containers_condition(state.sandbox_ready));
  s.conditions.push_back(initialized_condition(pod, all_statuses, s.phase));
  s.conditions.push_back(pod_ready_condition(pod, s.conditions, all_statuses, s.phase));
  s.conditions.push_back(containers_ready_condition(pod, all_statuses, s.phase));
  s.conditions.push_back(kube::PodCondition{kCondPodScheduled, "True", std::nullopt, std::nullopt, "", ""});
  s.conditions = with_transition_times(std::move(s.conditions), previous.conditions, now);

  // startTime: the first time the agent reported the pod, never moved afterwards.
  if (previous.start_time) {
    s.start_time = previous.start_time;
  } else if (pod.status.start_time) {
    s.start_time = pod.status.start_time;
  } else {
    s.start_time = now;
  }
  return s;
}

}  // namespace nodeagent::status
