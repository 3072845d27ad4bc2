// PodStatus JSON codec (see status_json.h).
#include "agent/status/status_json.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace nodeagent::status {

namespace {

using nlohmann::json;

void put(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

void put_time(json& j, const char* key, const std::optional<kube::Time>& t) {
  if (t) j[key] = format_time(*t);
}

json ips_to_json(const std::vector<kube::PodIP>& ips) {
  json out = json::array();
  for (const auto& ip : ips) out.push_back({{"ip", ip.ip}});
  return out;
}

json state_to_json(const kube::ContainerState& s) {
  json j = json::object();
  if (s.waiting) {
    json w = json::object();
    put(w, "reason", s.waiting->reason);
    put(w, "message", s.waiting->message);
    j["waiting"] = w;
  }
  if (s.running) {
    json r = json::object();
    put_time(r, "startedAt", s.running->started_at);
    j["running"] = r;
  }
  if (s.terminated) {
    const auto& t = *s.terminated;
    json o = {{"exitCode", t.exit_code}};
    if (t.signal != 0) o["signal"] = t.signal;
    put(o, "reason", t.reason);
    put(o, "message", t.message);
    o["startedAt"] = t.started_at ? json(format_time(*t.started_at)) : json(nullptr);
    o["finishedAt"] = t.finished_at ? json(format_time(*t.finished_at)) : json(nullptr);
    put(o, "containerID", t.container_id);
    j["terminated"] = o;
  }
  return j;
}

json container_status_to_json(const kube::ContainerStatus& s) {
  json j = {{"name", s.name}, {"state", state_to_json(s.state)}, {"lastState", state_to_json(s.last_state)},
            {"ready", s.ready}, {"restartCount", s.restart_count}, {"image", s.image}, {"imageID", s.image_id}};
  put(j, "containerID", s.container_id);
  if (s.started) j["started"] = *s.started;
  return j;
}

json container_statuses_to_json(const std::vector<kube::ContainerStatus>& list) {
  json out = json::array();
  for (const auto& s : list) out.push_back(container_status_to_json(s));
  return out;
}

// --- decoding: each helper names the field it failed on ---------------------------------------

Error field_error(const std::string& path, const char* expected) {
  return invalid(path + ": expected " + expected);
}

Result<std::string> get_string(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return field_error(path + "." + key, "string");
  return it->get<std::string>();
}

Result<int32_t> get_int(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  if (!it->is_number_integer()) return field_error(path + "." + key, "integer");
  return it->get<int32_t>();
}

Result<std::optional<bool>> get_bool(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return field_error(path + "." + key, "boolean");
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<kube::Time>> get_time(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<kube::Time>();
  if (!it->is_string()) return field_error(path + "." + key, "RFC 3339 time");
  auto t = parse_time(it->get<std::string>());
  if (!t.ok()) return t.error().wrap(path + "." + key);
  return std::optional<kube::Time>(*t);
}

Result<const json*> get_object(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_object()) return field_error(path + "." + key, "object");
  return &*it;
}

Result<const json*> get_array(const json& j, const char* key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return static_cast<const json*>(nullptr);
  if (!it->is_array()) return field_error(path + "." + key, "array");
  return &*it;
}

Result<kube::ContainerState> state_from_json(const json& j, const std::string& path) {
  kube::ContainerState s;
  NA_ASSIGN_OR_RETURN(const json* waiting, get_object(j, "waiting", path));
  if (waiting != nullptr) {
    const std::string p = path + ".waiting";
    kube::ContainerStateWaiting w;
    NA_ASSIGN_OR_RETURN(w.reason, get_string(*waiting, "reason", p));
    NA_ASSIGN_OR_RETURN(w.message, get_string(*waiting, "message", p));
    s.waiting = w;
  }
  NA_ASSIGN_OR_RETURN(const json* running, get_object(j, "running", path));
  if (running != nullptr) {
    kube::ContainerStateRunning r;
    NA_ASSIGN_OR_RETURN(r.started_at, get_time(*running, "startedAt", path + ".running"));
    s.running = r;
  }
  NA_ASSIGN_OR_RETURN(const json* terminated, get_object(j, "terminated", path));
  if (terminated != nullptr) {
    const std::string p = path + ".terminated";
    kube::ContainerStateTerminated t;
    NA_ASSIGN_OR_RETURN(t.exit_code, get_int(*terminated, "exitCode", p));
    NA_ASSIGN_OR_RETURN(t.signal, get_int(*terminated, "signal", p));
    NA_ASSIGN_OR_RETURN(t.reason, get_string(*terminated, "reason", p));
    NA_ASSIGN_OR_RETURN(t.message, get_string(*terminated, "message", p));
    NA_ASSIGN_OR_RETURN(t.started_at, get_time(*terminated, "startedAt", p));
    NA_ASSIGN_OR_RETURN(t.finished_at, get_time(*terminated, "finishedAt", p));
    NA_ASSIGN_OR_RETURN(t.container_id, get_string(*terminated, "containerID", p));
    s.terminated = t;
  }
  return s;
}

Result<kube::ContainerStatus> container_status_from_json(const json& j, const std::string& path) {
  if (!j.is_object()) return field_error(path, "object");
  kube::ContainerStatus s;
  NA_ASSIGN_OR_RETURN(s.name, get_string(j, "name", path));
  NA_ASSIGN_OR_RETURN(const json* state, get_object(j, "state", path));
  if (state != nullptr) {
    NA_ASSIGN_OR_RETURN(s.state, state_from_json(*state, path + ".state"));
  }
  NA_ASSIGN_OR_RETURN(const json* last, get_object(j, "lastState", path));
  if (last != nullptr) {
    NA_ASSIGN_OR_RETURN(s.last_state, state_from_json(*last, path + ".lastState"));
  }
  NA_ASSIGN_OR_RETURN(auto ready, get_bool(j, "ready", path));
  s.ready = ready.value_or(false);
  NA_ASSIGN_OR_RETURN(s.restart_count, get_int(j, "restartCount", path));
  NA_ASSIGN_OR_RETURN(s.image, get_string(j, "image", path));
  NA_ASSIGN_OR_RETURN(s.image_id, get_string(j, "imageID", path));
  NA_ASSIGN_OR_RETURN(s.container_id, get_string(j, "containerID", path));
  NA_ASSIGN_OR_RETURN(s.started, get_bool(j, "started", path));
  return s;
}

Result<std::vector<kube::ContainerStatus>> container_statuses_from_json(const json& j, const char* key,
                                                                        const std::string& path) {
  std::vector<kube::ContainerStatus> out;
  NA_ASSIGN_OR_RETURN(const json* list, get_array(j, key, path));
  if (list == nullptr) return out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    NA_ASSIGN_OR_RETURN(auto s, container_status_from_json((*list)[i], path + "." + key + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<kube::PodIP>> ips_from_json(const json& j, const char* key, const std::string& path) {
  std::vector<kube::PodIP> out;
  NA_ASSIGN_OR_RETURN(const json* list, get_array(j, key, path));
  if (list == nullptr) return out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = path + "." + key + "[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object()) return field_error(p, "object");
    NA_ASSIGN_OR_RETURN(std::string ip, get_string((*list)[i], "ip", p));
    out.push_back(kube::PodIP{ip});
  }
  return out;
}

}  // namespace

std::string format_time(kube::Time t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<kube::Time> parse_time(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return invalid("\"" + text + "\": expected an RFC 3339 time like 2024-05-01T10:00:00Z");
  }
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  std::chrono::nanoseconds fraction{0};
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    int64_t scale = 100'000'000;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      fraction += std::chrono::nanoseconds((rest[i] - '0') * scale);
      scale /= 10;
      ++i;
    }
    rest = rest.substr(i);
  }
  if (rest != "Z") return invalid("\"" + text + "\": expected a UTC time ending in Z");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  return std::chrono::time_point_cast<kube::Time::duration>(std::chrono::system_clock::from_time_t(secs) + fraction);
}

nlohmann::json pod_status_to_json(const kube::PodStatus& s) {
  json j = json::object();
  put(j, "phase", s.phase);
  if (!s.conditions.empty()) {
    json conditions = json::array();
    for (const auto& c : s.conditions) {
      json cj = {{"type", c.type}, {"status", c.status}};
      cj["lastProbeTime"] = c.last_probe_time ? json(format_time(*c.last_probe_time)) : json(nullptr);
      cj["lastTransitionTime"] = c.last_transition_time ? json(format_time(*c.last_transition_time)) : json(nullptr);
      put(cj, "reason", c.reason);
      put(cj, "message", c.message);
      conditions.push_back(cj);
    }
    j["conditions"] = conditions;
  }
  put(j, "message", s.message);
  put(j, "reason", s.reason);
  put(j, "nominatedNodeName", s.nominated_node_name);
  put(j, "hostIP", s.host_ip);
  if (!s.host_ips.empty()) j["hostIPs"] = ips_to_json(s.host_ips);
  put(j, "podIP", s.pod_ip);
  if (!s.pod_ips.empty()) j["podIPs"] = ips_to_json(s.pod_ips);
  put_time(j, "startTime", s.start_time);
  if (!s.init_container_statuses.empty()) j["initContainerStatuses"] = container_statuses_to_json(s.init_container_statuses);
  if (!s.container_statuses.empty()) j["containerStatuses"] = container_statuses_to_json(s.container_statuses);
  put(j, "qosClass", s.qos_class);
  if (!s.ephemeral_container_statuses.empty()) {
    j["ephemeralContainerStatuses"] = container_statuses_to_json(s.ephemeral_container_statuses);
  }
  return j;
}

Result<kube::PodStatus> pod_status_from_json(const nlohmann::json& j) {
  const std::string path = "status";
  if (!j.is_object()) return field_error(path, "object");
  kube::PodStatus s;
  NA_ASSIGN_OR_RETURN(s.phase, get_string(j, "phase", path));
  NA_ASSIGN_OR_RETURN(const json* conditions, get_array(j, "conditions", path));
  if (conditions != nullptr) {
    for (std::size_t i = 0; i < conditions->size(); ++i) {
      const json& cj = (*conditions)[i];
      const std::string p = path + ".conditions[" + std::to_string(i) + "]";
      if (!cj.is_object()) return field_error(p, "object");
      kube::PodCondition c;
      NA_ASSIGN_OR_RETURN(c.type, get_string(cj, "type", p));
      NA_ASSIGN_OR_RETURN(c.status, get_string(cj, "status", p));
      NA_ASSIGN_OR_RETURN(c.last_probe_time, get_time(cj, "lastProbeTime", p));
      NA_ASSIGN_OR_RETURN(c.last_transition_time, get_time(cj, "lastTransitionTime", p));
      NA_ASSIGN_OR_RETURN(c.reason, get_string(cj, "reason", p));
      NA_ASSIGN_OR_RETURN(c.message, get_string(cj, "message", p));
      s.conditions.push_back(std::move(c));
    }
  }
  NA_ASSIGN_OR_RETURN(s.message, get_string(j, "message", path));
  NA_ASSIGN_OR_RETURN(s.reason, get_string(j, "reason", path));
  NA_ASSIGN_OR_RETURN(s.nominated_node_name, get_string(j, "nominatedNodeName", path));
  NA_ASSIGN_OR_RETURN(s.host_ip, get_string(j, "hostIP", path));
  NA_ASSIGN_OR_RETURN(s.host_ips, ips_from_json(j, "hostIPs", path));
  NA_ASSIGN_OR_RETURN(s.pod_ip, get_string(j, "podIP", path));
  NA_ASSIGN_OR_RETURN(s.pod_ips, ips_from_json(j, "podIPs", path));
  NA_ASSIGN_OR_RETURN(s.start_time, get_time(j, "startTime", path));
  NA_ASSIGN_OR_RETURN(s.init_container_statuses, container_statuses_from_json(j, "initContainerStatuses", path));
  NA_ASSIGN_OR_RETURN(s.container_statuses, container_statuses_from_json(j, "containerStatuses", path));
  NA_ASSIGN_OR_RETURN(s.qos_class, get_string(j, "qosClass", path));
  NA_ASSIGN_OR_RETURN(s.ephemeral_container_statuses,
                      container_statuses_from_json(j, "ephemeralContainerStatuses", path));
  return s;
}

}  // namespace nodeagent::status
