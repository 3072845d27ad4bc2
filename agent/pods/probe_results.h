// What the prober last concluded about each container of a pod, as the planner and the status
// generator read it. The prober (probes/) fills this in through the ProbePort (ports.h); until a
// container has a result, kubelet's defaults apply: a container without a startup probe is
// "started" as soon as it runs, one without a readiness probe is "ready" as soon as it has
// started, and a container WITH a probe but no result yet is neither (kubelet's initial probe
// result is Failure).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace nodeagent::pods {

struct ProbeResult {
  // The containerd id of the instance that was probed. A result for an older instance (the
  // container has restarted since) is ignored; "" matches any instance.
  std::string container_id;
  bool success = false;
};

// A liveness or startup probe that has failed failureThreshold times: the container is killed
// (and restarted per restartPolicy), as kubelet's computePodActions does.
struct ProbeFailure {
  std::string container_id;  // the instance that failed; an older one is ignored
  std::string message;       // "Container web failed liveness probe, will be restarted"
  // The probe's own terminationGracePeriodSeconds, which wins over the pod's.
  std::optional<std::chrono::seconds> grace;
};

struct ProbeResults {
  std::map<std::string, ProbeResult> readiness;  // by container name
  std::map<std::string, ProbeResult> startup;    // by container name
  std::map<std::string, ProbeFailure> kill;      // by container name
};

}  // namespace nodeagent::pods
