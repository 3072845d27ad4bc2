// Pod facts (see pod_util.h).
#include "kube/pod_util.h"

namespace nodeagent::kube {

std::string full_name(const ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }
std::string full_name(const Pod& pod) { return full_name(pod.metadata); }

std::string pod_hostname(const Pod& pod) {
  if (!pod.spec.hostname.empty()) return pod.spec.hostname;
  std::string name = pod.metadata.name.substr(0, 63);
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name;
}

const Container* find_container(const Pod& pod, const std::string& name) {
  for (const auto* list : {&pod.spec.init_containers, &pod.spec.containers})
    for (const auto& c : *list)
      if (c.name == name) return &c;
  return nullptr;
}

bool is_terminal(const PodStatus& status) { return status.phase == "Succeeded" || status.phase == "Failed"; }

bool is_static_pod(const Pod& pod) {
  auto it = pod.metadata.annotations.find("kubernetes.io/config.source");
  return it != pod.metadata.annotations.end() && it->second != "api";
}

}  // namespace nodeagent::kube
