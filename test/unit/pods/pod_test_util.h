// Builders for pods and runtime states used by the pod unit tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "kube/types.h"
#include "agent/pods/pod_runtime_state.h"

namespace nodeagent::testing {

inline kube::Container container(const std::string& name, const std::string& image = "busybox:1.36") {
  kube::Container c;
  c.name = name;
  c.image = image;
  c.image_pull_policy = "IfNotPresent";
  return c;
}

inline kube::Pod pod(const std::string& name, std::vector<std::string> app, std::vector<std::string> init = {}) {
  kube::Pod p;
  p.metadata.name = name;
  p.metadata.namespace_ = "default";
  p.metadata.uid = "uid-" + name;
  for (const auto& n : init) p.spec.init_containers.push_back(container(n));
  for (const auto& n : app) p.spec.containers.push_back(container(n));
  return p;
}

inline pods::ContainerInstance running(const std::string& name, uint32_t attempt = 0) {
  pods::ContainerInstance c;
  c.id = name + "-" + std::to_string(attempt);
  c.name = name;
  c.attempt = attempt;
  c.state.state = runtime::ContainerStateKind::kRunning;
  return c;
}

inline pods::ContainerInstance exited(const std::string& name, int32_t code, uint32_t attempt,
                                      std::chrono::system_clock::time_point finished) {
  auto c = running(name, attempt);
  c.state.state = runtime::ContainerStateKind::kExited;
  c.state.exit_code = code;
  c.state.finished_at = finished;
  return c;
}

inline void add(pods::PodRuntimeState& s, pods::ContainerInstance c) { s.containers[c.name].push_back(std::move(c)); }

}  // namespace nodeagent::testing
