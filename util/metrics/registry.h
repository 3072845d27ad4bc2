// A tiny Prometheus registry: counter, gauge and histogram families with labels, rendered in the
// text exposition format (version 0.0.4). The agent's components record into the process-wide
// registries below (kubelet's /metrics, /metrics/probes, kube-proxy's /metrics); tests make
// their own Registry. Thread-safe; recording is one mutex and a map lookup.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nodeagent::metrics {

using LabelValues = std::vector<std::string>;

// kubelet's buckets (component-base/metrics): DefBuckets and the ones of the pod start SLI.
std::vector<double> default_buckets();                 // .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10
std::vector<double> exponential_buckets(double start, double factor, int count);
std::vector<double> pod_start_buckets();               // kubelet_pod_start_duration_seconds'

enum class Kind { kCounter, kGauge, kHistogram };

class Family {
 public:
  Family(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
         std::vector<double> buckets = {});
  // Counters and gauges. A label list of the wrong length is ignored (never a crash).
  void inc(const LabelValues& labels = {}, double by = 1);
  void set(const LabelValues& labels, double value);
  void remove(const LabelValues& labels);
  void observe(const LabelValues& labels, double value);  // histograms
  double value(const LabelValues& labels = {}) const;    // counters/gauges; histograms: the count
  void render(std::string& out) const;
  const std::string& name() const { return name_; }

 private:
  struct Series {
    double value = 0;               // counter/gauge; histogram: sum
    uint64_t count = 0;             // histogram
    std::vector<uint64_t> buckets;  // histogram: non-cumulative counts per upper bound
  };
  std::string name_, help_;
  Kind kind_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;
};

class Registry {
 public:
  // Returns the family of that name, created on first use (later calls return the same one).
  Family& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family& histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                    std::vector<double> buckets);
  // Runs before every render (gauges computed at scrape time, e.g. kubelet_running_pods).
  void on_collect(std::function<void()> fn);
  std::string render() const;

 private:
  Family& get(const std::string& name, const std::string& help, Kind kind, std::vector<std::string> labels,
              std::vector<double> buckets);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  std::vector<std::function<void()>> collectors_;
};

// The process's registries.
Registry& kubelet();   // :10250/metrics
Registry& probes();    // :10250/metrics/probes
Registry& proxy();     // kube-proxy's :10249/metrics

// Escapes a label value for the text format (backslash, quote, newline).
std::string escape_label(const std::string& value);
// A sample value as Prometheus prints it (+Inf, integers without a decimal point).
std::string format_value(double v);

}  // namespace nodeagent::metrics
