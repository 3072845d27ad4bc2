// The per-pod state layout (see pod_state_dir.h).
#include "util/pod_state_dir.h"

namespace nodeagent {

bool valid_pod_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 63) return false;
  for (char c : uid)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
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
