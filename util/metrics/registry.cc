#include "util/metrics/registry.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace nodeagent::metrics {

std::vector<double> default_buckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i, start *= factor) out.push_back(start);
  return out;
}

std::vector<double> pod_start_buckets() {
  return {0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600};
}

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    for (int precision = 1; precision <= 17; ++precision) {  // the shortest text that reads back as v
      std::snprintf(buf, sizeof buf, "%.*g", precision, v);
      if (std::strtod(buf, nullptr) == v) break;
    }
  return buf;
}

Family::Family(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
               std::vector<double> buckets)
    : name_(std::move(name)), help_(std::move(help)), kind_(kind), label_names_(std::move(label_names)),
      bounds_(std::move(buckets)) {}

void Family::inc(const LabelValues& labels, double by) {
  if (labels.size() != label_names_.size() || kind_ == Kind::kHistogram) return;
  std::lock_guard lock(mu_);
  series_[labels].value += by;
}

void Family::set(const LabelValues& labels, double value) {
  if (labels.size() != label_names_.size() || kind_ == Kind::kHistogram) return;
  std::lock_guard lock(mu_);
  series_[labels].value = value;
}

void Family::remove(const LabelValues& labels) {
  std::lock_guard lock(mu_);
  series_.erase(labels);
}

void Family::observe(const LabelValues& labels, double value) {
  if (labels.size() != label_names_.size() || kind_ != Kind::kHistogram) return;
  std::lock_guard lock(mu_);
  auto& s = series_[labels];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  s.value += value;
  ++s.count;
  for (size_t i = 0; i < bounds_.size(); ++i)
    if (value <= bounds_[i]) {
      ++s.buckets[i];
      break;
    }
}

double Family::value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  if (it == series_.end()) return 0;
  return kind_ == Kind::kHistogram ? static_cast<double>(it->second.count) : it->second.value;
}

namespace {
// {a="x",b="y"} plus an optional extra label (le for buckets); "" when there are none.
std::string label_text(const std::vector<std::string>& names, const LabelValues& values, const std::string& extra = {}) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + escape_label(values[i]) + "\"";
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}
}  // namespace

void Family::render(std::string& out) const {
  static const char* kTypes[] = {"counter", "gauge", "histogram"};
  std::lock_guard lock(mu_);
  out += "# HELP " + name_ + " " + help_ + "\n# TYPE " + name_ + " " + kTypes[static_cast<int>(kind_)] + "\n";
  for (const auto& [labels, s] : series_) {
    if (kind_ != Kind::kHistogram) {
      out += name_ + label_text(label_names_, labels) + " " + format_value(s.value) + "\n";
      continue;
    }
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      out += name_ + "_bucket" + label_text(label_names_, labels, "le=\"" + format_value(bounds_[i]) + "\"") + " " +
             std::to_string(cumulative) + "\n";
    }
    out += name_ + "_bucket" + label_text(label_names_, labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
    out += name_ + "_sum" + label_text(label_names_, labels) + " " + format_value(s.value) + "\n";
    out += name_ + "_count" + label_text(label_names_, labels) + " " + std::to_string(s.count) + "\n";
  }
}

Family& Registry::get(const std::string& name, const std::string& help, Kind kind, std::vector<std::string> labels,
                      std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto& slot = families_[name];
  if (!slot) slot = std::make_unique<Family>(name, help, kind, std::move(labels), std::move(buckets));
  return *slot;
}

Family& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return get(name, help, Kind::kCounter, std::move(labels), {});
}
Family& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  return get(name, help, Kind::kGauge, std::move(labels), {});
}
Family& Registry::histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                            std::vector<double> buckets) {
  return get(name, help, Kind::kHistogram, std::move(labels), std::move(buckets));
}

void Registry::on_collect(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(fn));
}

std::string Registry::render() const {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) c();
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

Registry& kubelet() {
  static Registry r;
  return r;
}
Registry& probes() {
  static Registry r;
  return r;
}
Registry& proxy() {
  static Registry r;
  return r;
}

}  // namespace nodeagent::metrics
