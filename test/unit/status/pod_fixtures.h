// Small builders for status tests: pods with containers, runtime instances in each state, and
// lookups into a generated status. Header-only, test-only.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "kube/types.h"
#include "agent/pods/pod_runtime_state.h"

namespace nodeagent::status::testing {

inline kube::Time at(int seconds) { return kube::Time(std::chrono::seconds(1'700'000'000 + seconds)); }

inline kube::Container container(const std::string& name, const std::string& image = "busybox:1.36") {
  kube::Container c;
  c.name = name;
  c.image = image;
  return c;
}

inline kube::Container sidecar(const std::string& name) {
  kube::Container c = container(name);
  c.restart_policy = "Always";
  return c;
}

inline kube::Probe exec_probe() {
  kube::Probe p;
  p.handler.exec = kube::ExecAction{{"true"}};
  return p;
}

inline kube::Pod make_pod(const std::string& restart_policy, std::vector<kube::Container> containers,
                          std::vector<kube::Container> init_containers = {}) {
  kube::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "default";
  pod.metadata.uid = "uid-1";
  pod.spec.restart_policy = restart_policy;
  pod.spec.containers = std::move(containers);
  pod.spec.init_containers = std::move(init_containers);
  return pod;
}

inline pods::ContainerInstance instance(const std::string& name, uint32_t attempt, runtime::ContainerStateKind kind,
                                        int32_t exit_code = 0) {
  pods::ContainerInstance i;
  i.id = name + "-" + std::to_string(attempt);
  i.name = name;
  i.attempt = attempt;
  i.state.id = i.id;
  i.state.state = kind;
  i.state.exit_code = exit_code;
  i.state.created_at = at(10 + static_cast<int>(attempt) * 100);
  if (kind != runtime::ContainerStateKind::kCreated) i.state.started_at = at(11 + static_cast<int>(attempt) * 100);
  if (kind == runtime::ContainerStateKind::kExited) i.state.finished_at = at(50 + static_cast<int>(attempt) * 100);
  i.image_ref = "docker.io/library/busybox:1.36";
  i.image_id = "sha256:abc";
  return i;
}

inline pods::ContainerInstance running(const std::string& name, uint32_t attempt = 0) {
  return instance(name, attempt, runtime::ContainerStateKind::kRunning);
}
inline pods::ContainerInstance exited(const std::string& name, int32_t exit_code, uint32_t attempt = 0) {
  return instance(name, attempt, runtime::ContainerStateKind::kExited, exit_code);
}
inline pods::ContainerInstance created(const std::string& name, uint32_t attempt = 0) {
  return instance(name, attempt, runtime::ContainerStateKind::kCreated);
}

// A ready sandbox holding the given instances (several of one name: oldest first).
inline pods::PodRuntimeState runtime_state(std::vector<pods::ContainerInstance> instances, bool sandbox_ready = true) {
  pods::PodRuntimeState s;
  s.pod_uid = "uid-1";
  s.sandbox_ready = sandbox_ready;
  if (sandbox_ready) s.pod_ips = {"10.88.0.5"};
  for (auto& i : instances) s.containers[i.name].push_back(std::move(i));
  return s;
}

inline const kube::ContainerStatus& find_status(const kube::PodStatus& s, const std::string& name) {
  for (const auto& c : s.container_statuses)
    if (c.name == name) return c;
  for (const auto& c : s.init_container_statuses)
    if (c.name == name) return c;
  throw std::runtime_error("no status for container " + name);
}

inline const kube::PodCondition& find_condition(const kube::PodStatus& s, const std::string& type) {
  for (const auto& c : s.conditions)
    if (c.type == type) return c;
  throw std::runtime_error("no condition " + type);
}

}  // namespace nodeagent::status::testing
