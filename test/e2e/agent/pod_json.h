// Reading a v1 Pod as nodectl prints it (`pods -o json`), for the e2e tests: phase, container
// statuses and their states; and small text helpers for what the tests read back.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

namespace nodeagent::testing {

inline std::string phase(const nlohmann::json& pod) {
  return pod.is_null() ? "" : pod["status"].value("phase", "");
}

// The status of container `name` in `list` (containerStatuses, initContainerStatuses); null if absent.
inline nlohmann::json container_status(const nlohmann::json& pod, const std::string& name,
                                       const char* list = "containerStatuses") {
  if (pod.is_null() || !pod["status"].contains(list)) return nullptr;
  for (const auto& c : pod["status"][list])
    if (c["name"] == name) return c;
  return nullptr;
}

inline bool running(const nlohmann::json& pod, const std::string& container) {
  auto st = container_status(pod, container);
  return !st.is_null() && st["state"].contains("running");
}

// The container's state.waiting ({reason, message}), null unless it waits.
inline nlohmann::json waiting(const nlohmann::json& pod, const std::string& container) {
  auto st = container_status(pod, container);
  return st.is_null() || !st["state"].contains("waiting") ? nlohmann::json() : st["state"]["waiting"];
}

// Without the trailing newlines (and carriage returns) that commands and files end with; other
// whitespace is kept (tests compare it).
inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return trim(std::string((std::istreambuf_iterator<char>(in)), {}));
}

}  // namespace nodeagent::testing
