// nodectl formatting (see format.h). The pod STATUS logic follows kubectl's printPod
// (pkg/printers/internalversion/printers.go) case by case, so operators read the same words.
#include "agent/ctl/format.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <optional>
#include <set>

#include "util/rfc3339.h"

namespace nodeagent::ctl {
namespace {

using nlohmann::json;

// Safe accessors: the JSON comes from another process; a wrong type reads as absent.
const json& child(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}
std::string str(const json& j, const char* key) {
  const json& v = child(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
int64_t num(const json& j, const char* key) {
  const json& v = child(j, key);
  return v.is_number() ? v.get<int64_t>() : 0;
}
bool flag(const json& j, const char* key) {
  const json& v = child(j, key);
  return v.is_boolean() && v.get<bool>();
}
const json& array(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const json& v = child(j, key);
  return v.is_array() ? v : kEmpty;
}

bool condition_true(const json& status, const std::string& type) {
  for (const auto& c : array(status, "conditions")) {
    if (str(c, "type") == type && str(c, "status") == "True") return true;
  }
  return false;
}

// "Signal:9" / "ExitCode:1" for a terminated state without a reason.
std::string terminated_words(const json& terminated) {
  if (int64_t sig = num(terminated, "signal"); sig != 0) return "Signal:" + std::to_string(sig);
  return "ExitCode:" + std::to_string(num(terminated, "exitCode"));
}

void note_restart(const json& container_status, std::optional<TimePoint>& last) {
  const json& t = child(child(container_status, "lastState"), "terminated");
  if (!t.is_object()) return;
  auto at = parse_rfc3339(str(t, "finishedAt"));
  if (at.ok() && (!last || *at > *last)) last = *at;
}

}  // namespace

std::string human_duration(std::chrono::nanoseconds d) {
  using std::to_string;
  int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  // Up to 2 s in the future is clock skew between machines: "now".
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? to_string(minutes) + "m" : to_string(minutes) + "m" + to_string(s) + "s";
  }
  if (minutes < 60 * 3) return to_string(minutes) + "m";
  int64_t hours = minutes / 60;
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? to_string(hours) + "h" : to_string(hours) + "h" + to_string(m) + "m";
  }
  if (hours < 48) return to_string(hours) + "h";
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? to_string(hours / 24) + "d" : to_string(hours / 24) + "d" + to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? to_string(hours / 24 / 365) + "y" : to_string(hours / 24 / 365) + "y" + to_string(dy) + "d";
  }
  return to_string(hours / 24 / 365) + "y";
}

std::string age_since(const json& rfc3339, TimePoint now) {
  if (!rfc3339.is_string()) return "<unknown>";
  auto t = parse_rfc3339(rfc3339.get<std::string>());
  if (!t.ok()) return "<unknown>";
  return human_duration(now - *t);
}

PodRow pod_row(const json& pod, TimePoint now) {
  const json& meta = child(pod, "metadata");
  const json& spec = child(pod, "spec");
  const json& status = child(pod, "status");

  int64_t restarts = 0, sidecar_restarts = 0;
  int64_t total = static_cast<int64_t>(array(spec, "containers").size());
  int64_t ready = 0;
  std::optional<TimePoint> last_restart, last_sidecar_restart;

  std::string phase = str(status, "phase");
  std::string reason = str(status, "reason").empty() ? phase : str(status, "reason");
  for (const auto& c : array(status, "conditions")) {
    if (str(c, "type") == "PodScheduled" && str(c, "reason") == "SchedulingGated") reason = "SchedulingGated";
  }

  // Sidecars (init containers with restartPolicy Always) count as containers of the pod.
  std::set<std::string> sidecars;
  const json& init_specs = array(spec, "initContainers");
  for (const auto& c : init_specs) {
    if (str(c, "restartPolicy") == "Always") {
      sidecars.insert(str(c, "name"));
      ++total;
    }
  }

  bool initializing = false;
  const json& init_statuses = array(status, "initContainerStatuses");
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    const json& state = child(c, "state");
    const json& terminated = child(state, "terminated");
    const json& waiting = child(state, "waiting");
    bool sidecar = sidecars.count(str(c, "name")) > 0;
    restarts += num(c, "restartCount");
    note_restart(c, last_restart);
    if (sidecar) {
      sidecar_restarts += num(c, "restartCount");
      note_restart(c, last_sidecar_restart);
    }
    if (terminated.is_object() && num(terminated, "exitCode") == 0) continue;
    if (sidecar && flag(c, "started")) {
      if (flag(c, "ready")) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      std::string r = str(terminated, "reason");
      reason = r.empty() ? "Init:" + terminated_words(terminated) : "Init:" + r;
    } else if (waiting.is_object() && !str(waiting, "reason").empty() && str(waiting, "reason") != "PodInitializing") {
      reason = "Init:" + str(waiting, "reason");
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || condition_true(status, "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const json& statuses = array(status, "containerStatuses");
    for (size_t i = statuses.size(); i-- > 0;) {
      const json& c = statuses[i];
      const json& state = child(c, "state");
      const json& terminated = child(state, "terminated");
      const json& waiting = child(state, "waiting");
      restarts += num(c, "restartCount");
      note_restart(c, last_restart);
      if (waiting.is_object() && !str(waiting, "reason").empty()) {
        reason = str(waiting, "reason");
      } else if (terminated.is_object() && !str(terminated, "reason").empty()) {
        reason = str(terminated, "reason");
      } else if (terminated.is_object()) {
        reason = terminated_words(terminated);
      } else if (flag(c, "ready") && child(state, "running").is_object()) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) reason = condition_true(status, "Ready") ? "Running" : "NotReady";
  }

  bool deleting = !child(meta, "deletionTimestamp").is_null();
  if (deleting && str(status, "reason") == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  PodRow row;
  row.namespace_name = str(meta, "namespace").empty() ? "default" : str(meta, "namespace");
  row.name = str(meta, "name");
  row.ready = std::to_string(ready) + "/" + std::to_string(total);
  row.status = reason;
  row.restarts = std::to_string(restarts);
  if (restarts != 0 && last_restart) row.restarts += " (" + human_duration(now - *last_restart) + " ago)";
  row.age = age_since(child(meta, "creationTimestamp"), now);
  row.ip = str(status, "podIP");
  const json& ips = array(status, "podIPs");
  if (!ips.empty() && !str(ips[0], "ip").empty()) row.ip = str(ips[0], "ip");
  if (row.ip.empty()) row.ip = "<none>";
  row.node = str(spec, "nodeName").empty() ? "<none>" : str(spec, "nodeName");
  return row;
}

std::string pods_table(const json& pods, TimePoint now, const PodTableOptions& options) {
  std::vector<PodRow> rows;
  std::set<std::string> namespaces;
  for (const auto& pod : array(pods, "items")) {
    rows.push_back(pod_row(pod, now));
    namespaces.insert(rows.back().namespace_name);
  }
  bool show_ns = options.all_namespaces || namespaces.size() > 1;
  std::vector<std::string> headers;
  if (show_ns) headers.push_back("NAMESPACE");
  for (const char* h : {"NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP"}) headers.push_back(h);
  if (options.wide) headers.push_back("NODE");
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    std::vector<std::string> line;
    if (show_ns) line.push_back(r.namespace_name);
    for (const auto* v : {&r.name, &r.ready, &r.status, &r.restarts, &r.age, &r.ip}) line.push_back(*v);
    if (options.wide) line.push_back(r.node);
    cells.push_back(std::move(line));
  }
  return render_table(headers, cells);
}

std::string render_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  constexpr size_t kPadding = 3;
  std::vector<size_t> widths(headers.size(), 0);
  auto measure = [&](const std::vector<std::string>& line) {
    for (size_t i = 0; i < line.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  };
  measure(headers);
  for (const auto& r : rows) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& line) {
    for (size_t i = 0; i < headers.size(); ++i) {
      const std::string cell = i < line.size() ? line[i] : "";
      out += cell;
      if (i + 1 < headers.size()) out.append(widths[i] + kPadding - cell.size(), ' ');
    }
    out += '\n';
  };
  emit(headers);
  for (const auto& r : rows) emit(r);
  return out;
}

std::string human_size(int64_t bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  size_t unit = 0;
  while (size >= 1000.0 && unit + 1 < std::size(kUnits)) {
    size /= 1000.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", size, kUnits[unit]);
  return buf;
}

std::pair<std::string, std::string> split_repo_tag(const std::string& ref) {
  if (auto at = ref.find('@'); at != std::string::npos) return {ref.substr(0, at), "<none>"};
  auto colon = ref.rfind(':');
  auto slash = ref.rfind('/');
  // A colon before the last slash belongs to a registry port ("localhost:5000/busybox").
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return {ref, "<none>"};
  return {ref.substr(0, colon), ref.substr(colon + 1)};
}

std::string short_id(const std::string& id) {
  std::string hex = id.rfind("sha256:", 0) == 0 ? id.substr(7) : id;
  return hex.substr(0, 13);
}

}  // namespace nodeagent::ctl
