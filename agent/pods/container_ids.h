// Small naming helpers for containers: the containerd id of an attempt, and stop signals.
#pragma once

#include <cstdint>
#include <string>

#include "kube/types.h"
#include "runtime/types.h"

namespace nodeagent::pods {

// Deterministic id for (pod uid, container name, attempt): 32 hex chars of SHA-256. The same
// attempt always maps to the same id, so a create interrupted by a crash is found and replaced.
std::string container_id_for(const std::string& pod_uid, const std::string& container, uint32_t attempt);

// "SIGQUIT", "QUIT", "3" -> 3; empty or unknown -> SIGTERM.
int signal_number(const std::string& name);
// 3 -> "SIGQUIT", 36 -> "SIGRTMIN+2": the names of v1.Signal (kubelet's runtimeSignalToString).
std::string signal_name(int number);
// What stops the container, as kubelet reports it in containerStatuses[].stopSignal (from the CRI
// runtime's status): lifecycle.stopSignal, else the image's StopSignal, else SIGTERM.
std::string effective_stop_signal(const kube::Container& container, const runtime::ImageInfo& image);

}  // namespace nodeagent::pods
