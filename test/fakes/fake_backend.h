// FakeBackend: an in-memory api::AgentBackend for tests of the local API server and nodectl.
// Pods are v1 JSON as the daemon would report them; containers, log files, events, services
// and facts are set by the test. Thread-safe: the gRPC server calls it from its threads.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/api/backend.h"
#include "test/fakes/fake_runtime.h"

namespace nodeagent::fakes {

class FakeBackend : public api::AgentBackend {
 public:
  void add_pod(nlohmann::json pod) {
    std::lock_guard lock(mu_);
    pods_.push_back(std::move(pod));
  }
  void add_container(api::ContainerView view) {
    std::lock_guard lock(mu_);
    containers_.push_back(view);
    container_service.set_state(view.state);
  }
  // Logs of pod ("ns/name") + container; previous selects the log of the attempt before.
  void set_log(const std::string& pod, const std::string& container, bool previous, api::LogLocation where) {
    std::lock_guard lock(mu_);
    logs_[log_key(pod, container, previous)] = std::move(where);
  }
  void set_log_running(const std::string& pod, const std::string& container, bool running) {
    std::lock_guard lock(mu_);
    logs_[log_key(pod, container, false)].running = running;
  }
  void add_event(nlohmann::json event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  void set_services(Result<nlohmann::json> services) {
    std::lock_guard lock(mu_);
    services_ = std::move(services);
  }
  void set_trace(Result<std::string> text) {
    std::lock_guard lock(mu_);
    trace_ = std::move(text);
  }
  void set_facts(Facts facts) {
    std::lock_guard lock(mu_);
    facts_ = std::move(facts);
  }
  int log_location_calls() {
    std::lock_guard lock(mu_);
    return log_location_calls_;
  }

  std::vector<nlohmann::json> list_pods() override {
    std::lock_guard lock(mu_);
    return pods_;
  }
  Result<nlohmann::json> get_pod(const std::string& pod) override {
    std::lock_guard lock(mu_);
    return resolve(pod);
  }
  Result<std::vector<api::ContainerView>> list_containers(const std::string& pod, bool all) override {
    std::lock_guard lock(mu_);
    std::string uid;
    if (!pod.empty()) {
      NA_ASSIGN_OR_RETURN(auto p, resolve(pod));
      uid = p["metadata"].value("uid", "");
    }
    std::vector<api::ContainerView> out;
    for (const auto& c : containers_) {
      if (!uid.empty() && c.pod_uid != uid) continue;
      if (!all && c.state.state != runtime::ContainerStateKind::kRunning) continue;
      out.push_back(c);
    }
    return out;
  }
  Result<std::string> container_id(const std::string& pod, const std::string& container) override {
    std::lock_guard lock(mu_);
    NA_ASSIGN_OR_RETURN(auto p, resolve(pod));
    std::string uid = p["metadata"].value("uid", "");
    std::vector<const api::ContainerView*> matches;
    for (const auto& c : containers_) {
      if (c.pod_uid == uid && (container.empty() || c.container_name == container)) matches.push_back(&c);
    }
    if (matches.empty()) {
      return not_found("container \"" + container + "\" not found in pod \"" + pod + "\"");
    }
    if (matches.size() > 1 && container.empty()) {
      return invalid("pod \"" + pod + "\" has several containers: choose one with -c");
    }
    return matches.back()->state.id;
  }
  Result<api::LogLocation> log_location(const std::string& pod, const std::string& container,
                                        bool previous) override {
    std::lock_guard lock(mu_);
    ++log_location_calls_;
    NA_ASSIGN_OR_RETURN(auto p, resolve(pod));
    std::string key = log_key(p["metadata"].value("namespace", "default") + "/" + p["metadata"].value("name", ""),
                              container, previous);
    auto it = logs_.find(key);
    if (it == logs_.end()) {
      return not_found(std::string(previous ? "previous " : "") + "container \"" + container + "\" of pod \"" +
                       pod + "\" has no log");
    }
    return it->second;
  }
  std::vector<nlohmann::json> list_events(const std::string& pod) override {
    std::lock_guard lock(mu_);
    if (pod.empty()) return events_;
    std::vector<nlohmann::json> out;
    for (const auto& e : events_) {
      if (e["involvedObject"].value("name", "") == pod) out.push_back(e);
    }
    return out;
  }
  Result<std::vector<nlohmann::json>> list_probes(const std::string& pod) override {
    std::lock_guard lock(mu_);
    std::vector<nlohmann::json> out;
    for (const auto& p : probes_)
      if (pod.empty() || p.value("pod", "") == pod) out.push_back(p);
    return out;
  }
  void add_probe(nlohmann::json probe) {
    std::lock_guard lock(mu_);
    probes_.push_back(std::move(probe));
  }
  runtime::ContainerService& containers() override { return container_service; }
  runtime::ImageService& images() override { return image_service; }
  Result<nlohmann::json> list_services() override {
    std::lock_guard lock(mu_);
    return services_;
  }
  Result<std::string> trace_service(const std::string& service, const std::string& port) override {
    std::lock_guard lock(mu_);
    traced.push_back(service + ":" + port);
    return trace_;
  }
  Facts facts() override {
    std::lock_guard lock(mu_);
    return facts_;
  }

  FakeContainerService container_service;
  FakeImageService image_service;
  std::vector<std::string> traced;

 private:
  static std::string log_key(const std::string& pod, const std::string& container, bool previous) {
    return pod + "/" + container + (previous ? "#previous" : "");
  }

  // "name", "ns/name" or a UID prefix, as the real backend resolves them.
  Result<nlohmann::json> resolve(const std::string& ref) {
    std::vector<const nlohmann::json*> found;
    for (const auto& p : pods_) {
      const auto& m = p["metadata"];
      std::string ns = m.value("namespace", "default"), name = m.value("name", ""), uid = m.value("uid", "");
      if (ref == name || ref == ns + "/" + name || (!uid.empty() && uid.rfind(ref, 0) == 0)) found.push_back(&p);
    }
    if (found.empty()) return not_found("pod \"" + ref + "\" not found");
    if (found.size() > 1) return invalid("pod \"" + ref + "\" is ambiguous: use namespace/name");
    return *found.front();
  }

  std::mutex mu_;
  std::vector<nlohmann::json> pods_;
  std::vector<api::ContainerView> containers_;
  std::map<std::string, api::LogLocation> logs_;
  std::vector<nlohmann::json> events_;
  std::vector<nlohmann::json> probes_;
  Result<nlohmann::json> services_ = nlohmann::json{{"items", nlohmann::json::array()}};
  Result<std::string> trace_ = std::string("no such service");
  Facts facts_{"0.1.0-test", "node-1", "k8s.io", "/var/lib/nodeagent"};
  int log_location_calls_ = 0;
};

}  // namespace nodeagent::fakes
