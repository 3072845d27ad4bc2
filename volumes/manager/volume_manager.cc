// LocalVolumeManager: volume directories, dispatch to the plugins, container bind mounts.
#include "volumes/manager/volume_manager.h"

#include <filesystem>

#include <fmt/format.h>

#include "volumes/configmap/config_map.h"
#include "volumes/downwardapi/downward_api_volume.h"
#include "volumes/emptydir/empty_dir.h"
#include "volumes/emptydir/usage.h"
#include "volumes/hostpath/host_path.h"
#include "volumes/projected/projected.h"
#include "volumes/secret/secret.h"
#include "volumes/manager/mount_options.h"
#include "volumes/subpath/sub_path_expr.h"
#include "volumes/mount/linux_mounter.h"
#include "volumes/pvc/persistent_claim_plugin.h"
#include "util/pod_state_dir.h"
#include "util/remove_tree.h"

namespace nodeagent::volumes {

namespace fs = std::filesystem;

namespace {

std::string source_name(const kube::Volume& v) {
  if (v.config_map) return "configMap";
  if (v.secret) return "secret";
  if (v.downward_api) return "downwardAPI";
  if (v.projected) return "projected";
  if (v.persistent_volume_claim) return "persistentVolumeClaim";
  if (v.unsupported) return v.unsupported->type;
  return "unknown";
}

}  // namespace

std::vector<std::unique_ptr<VolumePlugin>> default_plugins(const VolumeHost& host) {
  std::vector<std::unique_ptr<VolumePlugin>> plugins;
  plugins.push_back(std::make_unique<EmptyDirPlugin>(host.mounter));
  plugins.push_back(std::make_unique<HostPathPlugin>());
  plugins.push_back(std::make_unique<ConfigMapPlugin>(host.objects));
  plugins.push_back(std::make_unique<SecretPlugin>(host.mounter, host.objects));
  plugins.push_back(std::make_unique<DownwardApiPlugin>());
  plugins.push_back(std::make_unique<ProjectedPlugin>(host.mounter, host.objects, host.tokens));
  auto claims = std::make_shared<binding::ClaimResolver>(
      host.objects, PodStateDir(host.root_dir).pv_bindings_file(),
      host.bind_claims ? binding::BindingMode::kStandalone : binding::BindingMode::kControlPlane);
  plugins.push_back(std::make_unique<PersistentClaimPlugin>(host, std::move(claims)));
  return plugins;
}

LocalVolumeManager::LocalVolumeManager(std::string root_dir, const kube::ObjectSource* objects, TokenSource* tokens,
                                       bool bind_claims)
    : LocalVolumeManager(root_dir, std::make_shared<LinuxMounter>(), {}) {
  plugins_ = default_plugins(VolumeHost{mounter_, objects, std::move(root_dir), tokens, bind_claims});
}

LocalVolumeManager::LocalVolumeManager(std::string root_dir, std::shared_ptr<Mounter> mounter,
                                       std::vector<std::unique_ptr<VolumePlugin>> plugins)
    : root_dir_(std::move(root_dir)),
      mounter_(std::move(mounter)),
      plugins_(std::move(plugins)),
      subpaths_(root_dir_, mounter_) {}

Status LocalVolumeManager::prepare_root_dir() { return mounter_->make_rshared(root_dir_); }

VolumePlugin* LocalVolumeManager::plugin_for(const kube::Volume& volume) const {
  for (const auto& p : plugins_)
    if (p->handles(volume)) return p.get();
  return nullptr;
}

VolumePlugin* LocalVolumeManager::plugin_named(const std::string& dir_name) const {
  for (const auto& p : plugins_)
    if (plugin_dir_name(p->name()) == dir_name) return p.get();
  return nullptr;
}

std::string LocalVolumeManager::volume_dir(const std::string& pod_uid, const VolumePlugin& plugin,
                                           const kube::Volume& volume) const {
  return PodStateDir(root_dir_).volume_dir(pod_uid, plugin_dir_name(plugin.name()), volume.name);
}

std::string LocalVolumeManager::volume_path(const std::string& pod_uid, const kube::Volume& volume) const {
  const VolumePlugin* plugin = plugin_for(volume);
  if (!plugin) return "";
  return plugin->host_path(volume, volume_dir(pod_uid, *plugin, volume));
}

Status LocalVolumeManager::setup_volume(const kube::Pod& pod, const kube::Volume& v, const PodVolumeContext& ctx) {
  VolumePlugin* plugin = plugin_for(v);
  if (!plugin)
    return invalid(fmt::format("volume \"{}\": {} volumes are not supported by this agent yet", v.name, source_name(v)));
  return plugin->set_up(pod, v, volume_dir(pod.metadata.uid, *plugin, v), ctx);
}

Status LocalVolumeManager::setup_pod_volumes(const kube::Pod& pod, const PodVolumeContext& ctx) {
  for (const auto& v : pod.spec.volumes) NA_RETURN_IF_ERROR(setup_volume(pod, v, ctx));
  return ok_status();
}

Result<runtime::Mount> LocalVolumeManager::container_mount(const kube::Pod& pod, const kube::Container& c,
                                                           size_t index, const ContainerMountContext& ctx) {
  const auto& vm = c.volume_mounts[index];
  const kube::Volume* volume = nullptr;
  for (const auto& v : pod.spec.volumes)
    if (v.name == vm.name) volume = &v;
  if (!volume) return invalid(fmt::format("volumeMounts \"{}\": no volume of that name", vm.name));
  runtime::Mount m;
  m.container_path = vm.mount_path;
  m.host_path = volume_path(pod.metadata.uid, *volume);
  if (m.host_path.empty())
    return invalid(fmt::format("volumeMounts \"{}\": {} volumes are not supported by this agent yet", vm.name,
                               source_name(*volume)));
  NA_ASSIGN_OR_RETURN(m.propagation, container_propagation(vm, c));
  const bool rro_supported = rro_supported_ ? *rro_supported_ : recursive_read_only_supported();
  NA_ASSIGN_OR_RETURN(bool rro, resolve_recursive_read_only(vm, rro_supported));
  NA_ASSIGN_OR_RETURN(auto sub_path, subpath::resolve_sub_path(vm, c.name, ctx.env));
  if (!sub_path.empty()) {
    // Never the path inside the volume: a container may have planted symlinks there.
    NA_ASSIGN_OR_RETURN(m.host_path, subpaths_.prepare({pod.metadata.uid, vm.name, m.host_path, c.name, index, sub_path}));
  }
  if (!m.propagation.empty()) {
    // As containerd's CRI checks: propagation needs a shared (Bidirectional) or at least a slave
    // (HostToContainer) source mount, else nothing would ever propagate.
    NA_ASSIGN_OR_RETURN(auto source, mounter_->propagation_of(m.host_path));
    if (m.propagation == "rshared" && !source.shared)
      return invalid(fmt::format("volumeMounts \"{}\": path \"{}\" is mounted on \"{}\" but it is not a shared mount",
                                 vm.name, m.host_path, source.mount_point));
    if (m.propagation == "rslave" && !source.shared && !source.slave)
      return invalid(fmt::format("volumeMounts \"{}\": path \"{}\" is mounted on \"{}\" but it is not a shared or slave mount",
                                 vm.name, m.host_path, source.mount_point));
  }
  // kubelet's makeMounts: the mount's readOnly or the volume's (persistentVolumeClaim.readOnly).
  m.readonly = vm.read_only || (volume->persistent_volume_claim && volume->persistent_volume_claim->read_only);
  if (rro) m.extra_options.push_back("rro");
  return m;
}

Result<std::vector<runtime::Mount>> LocalVolumeManager::container_mounts(const kube::Pod& pod, const kube::Container& c,
                                                                         const ContainerMountContext& ctx) {
  std::vector<runtime::Mount> mounts;
  for (size_t i = 0; i < c.volume_mounts.size(); ++i) {
    NA_ASSIGN_OR_RETURN(auto m, container_mount(pod, c, i, ctx));
    mounts.push_back(std::move(m));
  }
  return mounts;
}

std::optional<std::string> LocalVolumeManager::empty_dir_over_limit(const kube::Pod& pod) {
  for (const auto& v : pod.spec.volumes) {
    if (!is_limited_disk_empty_dir(v)) continue;
    auto used = disk_usage(volume_path(pod.metadata.uid, v));
    if (used.ok() && *used > v.empty_dir->size_limit->value())
      return empty_dir_eviction_message(v.name, *v.empty_dir->size_limit);
  }
  return std::nullopt;
}

Status LocalVolumeManager::teardown_pod_volumes(const std::string& pod_uid) {
  // subPath bind mounts first: they hold the volumes (and would be deleted through otherwise).
  NA_RETURN_IF_ERROR(subpaths_.clean_pod(pod_uid));
  auto dir = PodStateDir(root_dir_).volumes_dir(pod_uid);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return ok_status();
  // Each plugin undoes its own set-up (unmounts) before anything is removed: never delete
  // through a mount. A directory of a plugin not registered (an older agent's) gets the
  // generic unmount-if-mounted.
  for (const auto& plugin_dir : fs::directory_iterator(dir, ec)) {
    VolumePlugin* plugin = plugin_named(plugin_dir.path().filename().string());
    for (const auto& vol : fs::directory_iterator(plugin_dir.path(), ec)) {
      auto path = vol.path().string();
      if (plugin) {
        NA_RETURN_IF_ERROR(plugin->tear_down(path));
        continue;
      }
      NA_ASSIGN_OR_RETURN(bool mounted, mounter_->is_mounted(path));
      if (mounted) NA_RETURN_IF_ERROR(mounter_->unmount(path));
    }
  }
  return remove_tree_unless_mounted(dir);
}

}  // namespace nodeagent::volumes
