#include "agent/daemon/probe_adapter.h"

#include <memory>

#include "kube/time.h"

namespace nodeagent::daemon {

void ProbeAdapter::sync(const kube::Pod& pod, const pods::PodRuntimeState& state) {
  probes::PodInput in;
  in.pod = std::make_shared<const kube::Pod>(pod);
  const bool host_network = pod.spec.host_network;
  if (!state.pod_ips.empty()) in.pod_ip = state.pod_ips.front();
  else in.pod_ip = host_network ? state.host_ip : "127.0.0.1";  // --no-network: lo only
  in.netns_path = host_network ? "" : dirs_.ns_dir(pod.metadata.uid) + "/net";
  for (const auto& [name, list] : state.containers) {
    if (list.empty()) continue;
    const auto& latest = list.back();
    if (latest.state.state != runtime::ContainerStateKind::kRunning) continue;
    in.running.push_back({name, latest.id, latest.state.started_at.value_or(Clock::TimePoint{})});
  }
  prober_.update_pod(in);
}

pods::ProbeResults ProbeAdapter::results(const std::string& pod_uid) {
  auto r = prober_.results(pod_uid);
  pods::ProbeResults out;
  for (const auto& [name, c] : r.readiness) out.readiness[name] = {c.container_id, c.success};
  for (const auto& [name, c] : r.startup) out.startup[name] = {c.container_id, c.success};
  for (const auto& [name, k] : r.kill) out.kill[name] = {k.container_id, k.message, k.grace};
  return out;
}



std::vector<nlohmann::json> ProbeAdapter::snapshot(const std::string& pod_uid) const {
  auto time_or_null = [](const std::optional<Clock::TimePoint>& t) -> nlohmann::json {
    return t ? nlohmann::json(kube::format_time(*t)) : nlohmann::json();
  };
  std::vector<nlohmann::json> rows;
  for (const auto& s : prober_.snapshot()) {
    if (!pod_uid.empty() && s.pod_uid != pod_uid) continue;
    rows.push_back({{"pod", s.pod_name},
                    {"namespace", s.pod_namespace},
                    {"uid", s.pod_uid},
                    {"container", s.container},
                    {"containerID", s.container_id},
                    {"probe", probes::kind_name(s.kind)},
                    {"handler", s.handler},
                    {"result", probes::outcome_name(s.result)},
                    {"lastRun", probes::outcome_name(s.last_run)},
                    {"message", s.last_message},
                    {"successes", s.consecutive_successes},
                    {"failures", s.consecutive_failures},
                    {"lastTransitionTime", time_or_null(s.last_transition)},
                    {"nextRunTime", time_or_null(s.next_run)},
                    {"running", s.running}});
  }
  return rows;
}

}  // namespace nodeagent::daemon
