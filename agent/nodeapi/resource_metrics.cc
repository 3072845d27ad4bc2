#include "agent/nodeapi/resource_metrics.h"

#include <map>
#include <vector>

#include "util/metrics/registry.h"
#include "util/rfc3339.h"

namespace nodeagent::nodeapi {

namespace {

struct Sample {
  std::string labels;
  double value;
  long long ms;
};

long long millis(const nlohmann::json& obj) {
  auto t = parse_rfc3339(obj.value("time", ""));
  if (!t.ok()) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

std::string label(const std::string& k, const std::string& v) { return k + "=\"" + metrics::escape_label(v) + "\""; }

}  // namespace

std::string resource_metrics_text(const nlohmann::json& summary) {
  struct Family {
    const char* help;
    const char* type;
    std::vector<Sample> samples;
  };
  std::map<std::string, Family> f = {
      {"container_cpu_usage_seconds_total", {"[STABLE] Cumulative cpu time consumed by the container in core-seconds", "counter", {}}},
      {"container_memory_working_set_bytes", {"[STABLE] Current working set of the container in bytes", "gauge", {}}},
      {"container_start_time_seconds", {"[STABLE] Start time of the container since unix epoch in seconds", "gauge", {}}},
      {"node_cpu_usage_seconds_total", {"[STABLE] Cumulative cpu time consumed by the node in core-seconds", "counter", {}}},
      {"node_memory_working_set_bytes", {"[STABLE] Current working set of the node in bytes", "gauge", {}}},
      {"pod_cpu_usage_seconds_total", {"[STABLE] Cumulative cpu time consumed by the pod in core-seconds", "counter", {}}},
      {"pod_memory_working_set_bytes", {"[STABLE] Current working set of the pod in bytes", "gauge", {}}},
      {"resource_scrape_error", {"[STABLE] 1 if there was an error while getting container metrics, 0 otherwise", "gauge", {}}},
  };
  auto add_cpu_mem = [&](const std::string& prefix, const nlohmann::json& obj, const std::string& labels) {
    if (obj.contains("cpu") && obj["cpu"].contains("usageCoreNanoSeconds"))
      f[prefix + "_cpu_usage_seconds_total"].samples.push_back(
          {labels, obj["cpu"]["usageCoreNanoSeconds"].get<double>() / 1e9, millis(obj["cpu"])});
    if (obj.contains("memory") && obj["memory"].contains("workingSetBytes"))
      f[prefix + "_memory_working_set_bytes"].samples.push_back(
          {labels, obj["memory"]["workingSetBytes"].get<double>(), millis(obj["memory"])});
  };
  add_cpu_mem("node", summary.value("node", nlohmann::json::object()), "");
  for (const auto& pod : summary.value("pods", nlohmann::json::array())) {
    const auto& ref = pod["podRef"];
    const std::string pl = label("namespace", ref.value("namespace", "")) + "," + label("pod", ref.value("name", ""));
    add_cpu_mem("pod", pod, pl);
    for (const auto& c : pod.value("containers", nlohmann::json::array())) {
      const std::string cl = label("container", c.value("name", "")) + "," + pl;
      add_cpu_mem("container", c, cl);
      if (auto t = parse_rfc3339(c.value("startTime", "")); t.ok())
        f["container_start_time_seconds"].samples.push_back(
            {cl, static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count()), 0});
    }
  }
  f["resource_scrape_error"].samples.push_back({"", 0, 0});
  std::string out;
  for (const auto& [name, fam] : f) {
    out += "# HELP " + name + " " + fam.help + "\n# TYPE " + name + " " + fam.type + "\n";
    for (const auto& s : fam.samples) {
      out += name + (s.labels.empty() ? "" : "{" + s.labels + "}") + " " + metrics::format_value(s.value);
      if (s.ms) out += " " + std::to_string(s.ms);
      out += "\n";
    }
  }
  return out;
}

}  // namespace nodeagent::nodeapi
