// pod_references (see pod_references.h).
#include "kube/pod_references.h"

namespace nodeagent::kube {

namespace {

bool volume_references(const Volume& v, bool config_map, const std::string& name) {
  if (config_map && v.config_map && v.config_map->name == name) return true;
  if (!config_map && v.secret && v.secret->secret_name == name) return true;
  if (v.projected)
    for (const auto& s : v.projected->sources) {
      if (config_map && s.config_map && s.config_map->name == name) return true;
      if (!config_map && s.secret && s.secret->name == name) return true;
    }
  return false;
}

bool container_references(const Container& c, bool config_map, const std::string& name) {
  for (const auto& e : c.env) {
    if (!e.value_from) continue;
    if (config_map && e.value_from->config_map_key_ref && e.value_from->config_map_key_ref->name == name) return true;
    if (!config_map && e.value_from->secret_key_ref && e.value_from->secret_key_ref->name == name) return true;
  }
  for (const auto& e : c.env_from) {
    if (config_map && e.config_map_ref && e.config_map_ref->name == name) return true;
    if (!config_map && e.secret_ref && e.secret_ref->name == name) return true;
  }
  return false;
}

}  // namespace

bool pod_references(const Pod& pod, const std::string& kind, const std::string& ns, const std::string& name) {
  if (pod.metadata.namespace_ != ns || (kind != "ConfigMap" && kind != "Secret")) return false;
  const bool config_map = kind == "ConfigMap";
  for (const auto& v : pod.spec.volumes)
    if (volume_references(v, config_map, name)) return true;
  for (const auto* list : {&pod.spec.init_containers, &pod.spec.containers})
    for (const auto& c : *list)
      if (container_references(c, config_map, name)) return true;
  return false;
}

}  // namespace nodeagent::kube
