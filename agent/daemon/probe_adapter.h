// The pod syncer's ProbePort over the prober (probes/prober): what a sync sees running becomes
// the prober's PodInput (the pod IP, or 127.0.0.1 inside a pod without one; the pod's netns
// under the root dir, none for hostNetwork), and the prober's results become the agent's
// ProbeResults. Translation only; no policy here.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/pods/ports.h"
#include "probes/prober/prober.h"
#include "util/pod_state_dir.h"

namespace nodeagent::daemon {

class ProbeAdapter final : public pods::ProbePort {
 public:
  ProbeAdapter(probes::Prober& prober, std::string root_dir) : prober_(prober), dirs_(std::move(root_dir)) {}
  void sync(const kube::Pod& pod, const pods::PodRuntimeState& state) override;
  pods::ProbeResults results(const std::string& pod_uid) override;
  void remove(const std::string& pod_uid) override { prober_.remove_pod(pod_uid); }

  // nodectl probes: the prober's snapshot of one pod ("" = all) as JSON rows
  // {pod, namespace, uid, container, containerID, probe, handler, result, lastRun, message,
  //  successes, failures, lastTransitionTime, nextRunTime, running}.
  std::vector<nlohmann::json> snapshot(const std::string& pod_uid) const;

 private:
  probes::Prober& prober_;
  PodStateDir dirs_;
};

// Where the prober keeps each pod's readiness across agent restarts.
inline std::string probe_results_file(const PodStateDir& dirs, const std::string& uid) {
  return dirs.pod_dir(uid) + "/probe-results.json";
}

}  // namespace nodeagent::daemon
