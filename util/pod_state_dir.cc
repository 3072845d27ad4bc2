// The per-pod state layout (see pod_state_dir.h).
#include "util/pod_state_dir.h"

namespace nodeagent {

bool valid_pod_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 63) return false;
  for (char c : uid)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

bool valid_pv_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name)
    if (!alnum(c) && c != '-' && c != '.') return false;
  return name.find("..") == std::string_view::npos;
}

std::string PodStateDir::plugin_global_mount(std::string_view plugin, std::string_view pv_name) const {
  return plugin_mounts_dir(plugin) + "/" + (valid_pv_name(pv_name) ? std::string(pv_name) : std::string(".invalid-name"));
}

std::string PodStateDir::pod_dir(std::string_view uid) const {
  return pods_dir() + "/" + (valid_pod_uid(uid) ? std::string(uid) : std::string(".invalid-uid"));
}

std::string PodStateDir::volume_dir(std::string_view uid, std::string_view plugin_dir, std::string_view name) const {
  return volumes_dir(uid) + "/" + std::string(plugin_dir) + "/" + std::string(name);
}

std::string PodStateDir::volume_subpath_target(std::string_view uid, std::string_view volume,
                                               std::string_view container, size_t index) const {
  return volume_subpaths_dir(uid) + "/" + std::string(volume) + "/" + std::string(container) + "/" +
         std::to_string(index);
}

std::string PodStateDir::termination_log(std::string_view uid, std::string_view container, uint32_t attempt) const {
  return pod_dir(uid) + "/containers/" + std::string(container) + "/" + std::to_string(attempt) + "-termination-log";
}

}  // namespace nodeagent
