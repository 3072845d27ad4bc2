// nodectl's output formatting, as pure functions: kubectl's pod STATUS logic, its human AGE
// durations, and aligned tables. No I/O, no clock (callers pass `now`), so all of it is
// unit-tested.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nodeagent::ctl {

using TimePoint = std::chrono::system_clock::time_point;

// kubectl's duration.HumanDuration: "5s", "119s", "3m2s", "10m", "5h3m", "2d", "2d3h", "3y".
std::string human_duration(std::chrono::nanoseconds d);
// AGE column: the human duration since `rfc3339` (parsed by util/rfc3339.h), "<unknown>" when
// absent or malformed.
std::string age_since(const nlohmann::json& rfc3339, TimePoint now);

// One `nodectl pods` row, computed as kubectl's printPod does.
struct PodRow {
  std::string namespace_name, name, ready, status, restarts, age, ip, node;
};
PodRow pod_row(const nlohmann::json& pod, TimePoint now);

struct PodTableOptions {
  bool wide = false;             // adds NODE
  bool all_namespaces = false;   // NAMESPACE column even when all pods share one namespace
};
// `pods` is a v1 PodList.
std::string pods_table(const nlohmann::json& pods, TimePoint now, const PodTableOptions& options);

// Columns padded like kubectl's tabwriter (3 spaces between columns, none after the last).
std::string render_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

// go-units HumanSize, as crictl prints image sizes: "1.235MB", "512B".
std::string human_size(int64_t bytes);
// "docker.io/library/busybox:1.36" → {"docker.io/library/busybox", "1.36"}; digests keep "@".
std::pair<std::string, std::string> split_repo_tag(const std::string& ref);
// Image ids and container ids are shown by their first 13 hex characters, as crictl does.
std::string short_id(const std::string& id);

}  // namespace nodeagent::ctl
