// Small naming helpers for containers: the containerd id of an attempt, and stop signals.
#pragma once

#include <cstdint>
#include <string>

namespace nodeagent::pods {

// Deterministic id for (pod uid, container name, attempt): 32 hex chars of SHA-256. The same
// attempt always maps to the same id, so a create interrupted by a crash is found and replaced.
std::string container_id_for(const std::string& pod_uid, const std::string& container, uint32_t attempt);

// "SIGQUIT", "QUIT", "3" -> 3; empty or unknown -> SIGTERM.
int signal_number(const std::string& name);

}  // namespace nodeagent::pods
