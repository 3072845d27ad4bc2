// The pod phase from its container statuses, as kubelet's getPhase (without the alpha
// ContainerRestartRules gate): restartPolicy decides between Running, Succeeded and Failed
// once every container has stopped; init containers keep the pod Pending; sidecars
// (restartable init containers) count as running containers but never make a pod Failed.
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"

namespace nodeagent::status {

inline constexpr const char* kPhasePending = "Pending";
inline constexpr const char* kPhaseRunning = "Running";
inline constexpr const char* kPhaseSucceeded = "Succeeded";
inline constexpr const char* kPhaseFailed = "Failed";

bool is_terminal_phase(const std::string& phase);

// Static pods (from a manifest file, not the API server), which kubelet never moves to a
// terminal phase just because their worker has finished.
bool is_static_pod(const kube::Pod& pod);

// `statuses`: init and app container statuses together (names are unique in a pod).
// `pod_is_terminal`: the pod worker has stopped the pod for good (deleted, evicted ...).
// `pod_has_initialized`: an app container has started at some point (so sidecars restarting
// later do not put the pod back to Pending).
std::string compute_phase(const kube::Pod& pod, const std::vector<kube::ContainerStatus>& statuses,
                          bool pod_is_terminal, bool pod_has_initialized);

}  // namespace nodeagent::status
