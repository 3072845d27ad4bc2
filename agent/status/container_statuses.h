// Runtime container instances -> v1 ContainerStatus, the way kubelet's
// convertToAPIContainerStatuses and the prober's UpdatePodStatus do it: one status per spec
// container in spec order, state from the newest instance, lastState from the one before it (or
// from the previous status when containerd no longer has that instance), the worker's waiting
// reasons (CrashLoopBackOff, ErrImagePull, ...) for containers that will be started again, and
// ready/started from the probe results. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"
#include "agent/pods/pod_runtime_state.h"
#include "agent/pods/probe_results.h"

namespace nodeagent::status {

using pods::ProbeResult;
using pods::ProbeResults;

// Waiting reasons and terminated reasons kubelet itself writes.
inline constexpr const char* kContainerCreating = "ContainerCreating";
inline constexpr const char* kPodInitializing = "PodInitializing";
inline constexpr const char* kReasonCompleted = "Completed";
inline constexpr const char* kReasonError = "Error";
inline constexpr const char* kReasonOOMKilled = "OOMKilled";
inline constexpr const char* kReasonStatusUnknown = "ContainerStatusUnknown";

// "containerd://<id>", as containerID and imageID carry the runtime's name upstream.
std::string container_id_uri(const std::string& containerd_id);

// Statuses of `containers` (pod.spec.containers, or pod.spec.init_containers when is_init),
// in spec order, without ready/started (see with_probe_results).
std::vector<kube::ContainerStatus> convert_container_statuses(
    const kube::Pod& pod, const pods::PodRuntimeState& state,
    const std::vector<kube::ContainerStatus>& previous,
    const std::vector<kube::Container>& containers, bool is_init);

// Sets ready and started on each status as kubelet's prober manager does: started = running
// and (no startup probe or it succeeded); ready = started and (no readiness probe or it
// succeeded); a regular init container is ready once it exited 0.
std::vector<kube::ContainerStatus> with_probe_results(
    std::vector<kube::ContainerStatus> statuses, const std::vector<kube::Container>& containers,
    const pods::PodRuntimeState& state, const ProbeResults& probes, bool is_init);

// Whether the pod worker will start this container (again) on a later sync, as kubelet's
// ShouldContainerBeRestarted: never ran, created-but-not-started or unknown -> yes; running ->
// no; exited -> by the container's restartPolicy (sidecars) or the pod's.
bool should_container_be_restarted(const kube::Container& container, const kube::PodSpec& spec,
                                   const pods::ContainerInstance* latest);

}  // namespace nodeagent::status
