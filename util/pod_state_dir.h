// The per-pod state under the agent's root dir (kubelet's /var/lib/kubelet/pods/<uid>/...), owned
// here so that every module asks one type for its paths and cleanup knows what it removes:
//
//   <root>/pods/<uid>/ns/                          namespaces and holder (runtime/sandbox)
//   <root>/pods/<uid>/volumes/<plugin>/<name>      volumes (volumes/)
//   <root>/pods/<uid>/volume-subpaths/<volume>/<container>/<index>
//                                                  subPath bind mounts (volumes/subpath)
//   <root>/pods/<uid>/etc/                         hosts, hostname, resolv.conf (network/podfiles)
//   <root>/pods/<uid>/containers/<c>/<n>-termination-log
//   <root>/pods/<uid>/status.json                  the last status (agent/status)
//   <root>/pods/<uid>/first-seen                   static pod creation time (agent/sources)
//
// and the node-wide volume state beside it:
//
//   <root>/plugins/<plugin>/mounts/<pv>            a PV's one mount per node (kubelet's global
//                                                  mount dir; plugin = kubernetes.io/local-volume)
//   <root>/pv-binder/bindings.json                 the standalone PV binder's claim bindings
//
// A PV name in a path must be a DNS subdomain (valid_pv_name): no "/" and no "..".
//
// A uid is 1-63 of [a-z0-9-] (static pod hashes, API server UUIDs). The sources refuse others;
// should one get here anyway, its paths lie under <root>/pods/.invalid-uid, never outside the
// pods dir, so that no "../" in a manifest can make cleanup remove anything else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nodeagent {

bool valid_pod_uid(std::string_view uid);
// 1-253 of [a-z0-9.-], starting and ending alphanumeric, no "..": safe as one path component.
bool valid_pv_name(std::string_view name);

class PodStateDir {
 public:
  explicit PodStateDir(std::string root_dir = "") : root_dir_(std::move(root_dir)) {}

  const std::string& root_dir() const { return root_dir_; }
  std::string pods_dir() const { return root_dir_ + "/pods"; }
  std::string pod_dir(std::string_view uid) const;
  std::string ns_dir(std::string_view uid) const { return pod_dir(uid) + "/ns"; }
  std::string volumes_dir(std::string_view uid) const { return pod_dir(uid) + "/volumes"; }
  std::string volume_dir(std::string_view uid, std::string_view plugin_dir, std::string_view name) const;
  std::string volume_subpaths_dir(std::string_view uid) const { return pod_dir(uid) + "/volume-subpaths"; }
  // The bind target of a container's volumeMounts[index] with a subPath. Volume and container
  // names are DNS labels (validated), so safe as path components.
  std::string volume_subpath_target(std::string_view uid, std::string_view volume, std::string_view container,
                                    size_t index) const;
  std::string etc_dir(std::string_view uid) const { return pod_dir(uid) + "/etc"; }
  std::string termination_log(std::string_view uid, std::string_view container, uint32_t attempt) const;
  std::string status_file(std::string_view uid) const { return pod_dir(uid) + "/status.json"; }
  std::string first_seen_file(std::string_view uid) const { return pod_dir(uid) + "/first-seen"; }

  // Node-wide volume state (not per pod). `plugin` is kubelet's plugin name with its slash
  // ("kubernetes.io/local-volume"); an invalid PV name maps to "<...>/mounts/.invalid-name".
  std::string plugin_dir(std::string_view plugin) const { return root_dir_ + "/plugins/" + std::string(plugin); }
  std::string plugin_mounts_dir(std::string_view plugin) const { return plugin_dir(plugin) + "/mounts"; }
  std::string plugin_global_mount(std::string_view plugin, std::string_view pv_name) const;
  std::string pv_bindings_file() const { return root_dir_ + "/pv-binder/bindings.json"; }

 private:
  std::string root_dir_;
};

}  // namespace nodeagent
