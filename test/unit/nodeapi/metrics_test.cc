#include <catch2/catch.hpp>

#include "util/metrics/registry.h"
#include "agent/nodeapi/resource_metrics.h"

using namespace nodeagent::metrics;

TEST_CASE("counters and gauges render with HELP, TYPE and escaped labels") {
  Registry r;
  auto& c = r.counter("kubelet_runtime_operations_total", "ops", {"operation_type"});
  c.inc({"list_containers"});
  c.inc({"list_containers"}, 2);
  c.inc({"wrong", "arity"});  // ignored
  r.gauge("kubelet_running_pods", "pods").set({}, 3);
  r.gauge("g", "h", {"l"}).set({"a\"b\\c\nd"}, 1.5);
  const std::string text = r.render();
  CHECK(text.find("# HELP kubelet_runtime_operations_total ops\n# TYPE kubelet_runtime_operations_total counter\n"
                  "kubelet_runtime_operations_total{operation_type=\"list_containers\"} 3\n") != std::string::npos);
  CHECK(text.find("kubelet_running_pods 3\n") != std::string::npos);
  CHECK(text.find("g{l=\"a\\\"b\\\\c\\nd\"} 1.5\n") != std::string::npos);
  CHECK(text.find("wrong") == std::string::npos);
}

TEST_CASE("histograms are cumulative, end with +Inf, and carry sum and count") {
  Registry r;
  auto& h = r.histogram("kubelet_pleg_relist_duration_seconds", "d", {}, default_buckets());
  h.observe({}, 0.003);
  h.observe({}, 0.2);
  h.observe({}, 20);
  const std::string text = r.render();
  CHECK(text.find("kubelet_pleg_relist_duration_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
  CHECK(text.find("kubelet_pleg_relist_duration_seconds_bucket{le=\"0.25\"} 2\n") != std::string::npos);
  CHECK(text.find("kubelet_pleg_relist_duration_seconds_bucket{le=\"10\"} 2\n") != std::string::npos);
  CHECK(text.find("kubelet_pleg_relist_duration_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("kubelet_pleg_relist_duration_seconds_sum 20.203") != std::string::npos);
  CHECK(text.find("kubelet_pleg_relist_duration_seconds_count 3\n") != std::string::npos);
  CHECK(h.value({}) == 3);
}

TEST_CASE("collectors run before every render") {
  Registry r;
  int n = 0;
  auto& g = r.gauge("x", "x");
  r.on_collect([&] { g.set({}, ++n); });
  CHECK(r.render().find("x 1\n") != std::string::npos);
  CHECK(r.render().find("x 2\n") != std::string::npos);
}

TEST_CASE("kubelet's buckets") {
  CHECK(default_buckets() == std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10});
  auto e = exponential_buckets(0.001, 2, 15);
  CHECK(e.size() == 15);
  CHECK(e.back() == Approx(16.384));
}

TEST_CASE("/metrics/resource from a summary: kubelet's names, labels and timestamps") {
  auto summary = nlohmann::json::parse(R"({
    "node": {"cpu": {"time": "2026-01-01T00:00:00Z", "usageCoreNanoSeconds": 2500000000},
             "memory": {"time": "2026-01-01T00:00:00Z", "workingSetBytes": 1024}},
    "pods": [{"podRef": {"name": "web", "namespace": "default", "uid": "u"},
              "cpu": {"time": "2026-01-01T00:00:00Z", "usageCoreNanoSeconds": 1000000000},
              "memory": {"time": "2026-01-01T00:00:00Z", "workingSetBytes": 10},
              "containers": [{"name": "main", "startTime": "2026-01-01T00:00:00Z",
                              "cpu": {"time": "2026-01-01T00:00:00Z", "usageCoreNanoSeconds": 500000000},
                              "memory": {"time": "2026-01-01T00:00:00Z", "workingSetBytes": 7}}]}]})");
  const std::string text = nodeagent::nodeapi::resource_metrics_text(summary);
  CHECK(text.find("node_cpu_usage_seconds_total 2.5 1767225600000\n") != std::string::npos);
  CHECK(text.find("node_memory_working_set_bytes 1024 1767225600000\n") != std::string::npos);
  CHECK(text.find("pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 1 1767225600000\n") != std::string::npos);
  CHECK(text.find("container_memory_working_set_bytes{container=\"main\",namespace=\"default\",pod=\"web\"} 7 1767225600000\n") !=
        std::string::npos);
  CHECK(text.find("container_start_time_seconds{container=\"main\",namespace=\"default\",pod=\"web\"} 1767225600\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE container_cpu_usage_seconds_total counter\n") != std::string::npos);
  CHECK(text.find("resource_scrape_error 0\n") != std::string::npos);
}
