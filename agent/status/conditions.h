// The pod conditions kubelet owns (PodReadyToStartContainers, Initialized, Ready,
// ContainersReady, PodScheduled), as pkg/kubelet/status/generate.go computes them, and
// lastTransitionTime bookkeeping against the previous status. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"

namespace nodeagent::status {

inline constexpr const char* kCondPodScheduled = "PodScheduled";
inline constexpr const char* kCondReadyToStartContainers = "PodReadyToStartContainers";
inline constexpr const char* kCondInitialized = "Initialized";
inline constexpr const char* kCondContainersReady = "ContainersReady";
inline constexpr const char* kCondReady = "Ready";

inline constexpr const char* kReasonContainersNotReady = "ContainersNotReady";
inline constexpr const char* kReasonContainersNotInitialized = "ContainersNotInitialized";
inline constexpr const char* kReasonPodCompleted = "PodCompleted";
inline constexpr const char* kReasonPodFailed = "PodFailed";
inline constexpr const char* kReasonReadinessGatesNotReady = "ReadinessGatesNotReady";
inline constexpr const char* kReasonUnknownContainerStatuses = "UnknownContainerStatuses";

// True for the condition types kubelet writes itself (the others are kept from the API).
bool is_kubelet_condition(const std::string& type);

// `statuses` below: init and app container statuses together.
kube::PodCondition ready_to_start_containers_condition(bool sandbox_ready);
kube::PodCondition initialized_condition(const kube::Pod& pod, const std::vector<kube::ContainerStatus>& statuses,
                                         const std::string& phase);
kube::PodCondition containers_ready_condition(const kube::Pod& pod,
                                              const std::vector<kube::ContainerStatus>& statuses,
                                              const std::string& phase);
// `conditions`: the conditions computed so far (readiness gates are looked up there).
kube::PodCondition pod_ready_condition(const kube::Pod& pod, const std::vector<kube::PodCondition>& conditions,
                                       const std::vector<kube::ContainerStatus>& statuses, const std::string& phase);

// Sets lastTransitionTime on every kubelet-owned condition: the previous one's when the status
// of that condition type is unchanged, else `now`. Other conditions are left as they are.
std::vector<kube::PodCondition> with_transition_times(std::vector<kube::PodCondition> conditions,
                                                      const std::vector<kube::PodCondition>& previous,
                                                      kube::Time now);

// Go's fmt of a []string, which kubelet's messages use: {"a","b"} -> "[a b]".
std::string go_list(const std::vector<std::string>& names);

}  // namespace nodeagent::status
