// Logging: spdlog behind one logger per component ("pods", "runtime", "network", "proxy", ...),
// so levels can be set per component and every line says where it came from. Use the same keys
// everywhere: pod=ns/name uid=... container=...
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace nodeagent::log {

// Returns the logger for a component, creating it (stderr sink, shared level) on first use.
std::shared_ptr<spdlog::logger> get(const std::string& component);

// Sets the level of every logger, existing and future: trace|debug|info|warn|error.
void set_level(const std::string& level);

}  // namespace nodeagent::log
