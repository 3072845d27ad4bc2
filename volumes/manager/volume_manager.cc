// LocalVolumeManager: volume directories, dispatch to the plugins, container bind mounts.
#include "volumes/manager/volume_manager.h"

#include <sys/stat.h>

#include <filesystem>

#include <fmt/format.h>

#include "volumes/configmap/config_map.h"
#include "volumes/downwardapi/downward_api_volume.h"
#include "volumes/emptydir/empty_dir.h"
#include "volumes/emptydir/usage.h"
#include "volumes/hostpath/host_path.h"
#include "volumes/projected/projected.h"
#include "volumes/secret/secret.h"
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

LocalVolumeManager::LocalVolumeManager(std::string root_dir, const kube::ObjectSource* objects)
    : LocalVolumeManager(root_dir, std::make_shared<LinuxMounter>(), {}) {
  plugins_ = default_plugins(VolumeHost{mounter_, objects, std::move(root_dir)});
}

LocalVolumeManager::LocalVolumeManager(std::string root_dir, std::shared_ptr<Mounter> mounter,
                                       std::vector<std::unique_ptr<VolumePlugin>> plugins)
    : root_dir_(std::move(root_dir)), mounter_(std::move(mounter)), plugins_(std::move(plugins)) {}

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

Result<std::vector<runtime::Mount>> LocalVolumeManager::container_mounts(const kube::Pod& pod, const kube::Container& c,
                                                                         const ContainerMountContext&) {
  std::vector<runtime::Mount> mounts;
  for (const auto& vm : c.volume_mounts) {
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
    if (!vm.sub_path.empty()) {
      auto sub = fs::path(vm.sub_path).lexically_normal();
      if (sub.is_absolute() || *sub.begin() == "..")
        return invalid(fmt::format("volumeMounts \"{}\": subPath \"{}\" must be a relative path inside the volume", vm.name, vm.sub_path));
      m.host_path = (fs::path(m.host_path) / sub).string();
      std::error_code ec;
      if (!fs::exists(m.host_path)) {
        fs::create_directories(m.host_path, ec);
        ::chmod(m.host_path.c_str(), 0777);
      }
    }
    // kubelet's makeMounts: the mount's readOnly or the volume's (persistentVolumeClaim.readOnly).
    m.readonly = vm.read_only || (volume->persistent_volume_claim && volume->persistent_volume_claim->read_only);
    auto prop = vm.mount_propagation.value_or("None");
    if (prop == "HostToContainer") m.propagation = "rslave";
    else if (prop == "Bidirectional") m.propagation = "rshared";
    mounts.push_back(std::move(m));
  }
  return mounts;
}

std::optional<std::string> LocalVolumeManager::empty_dir_over_limit(const kube::Pod& pod) {
  for (const auto& v : pod.spec.volumes) {
    if (!v.empty_dir || v.empty_dir->medium == "Memory" || !v.empty_dir->size_limit) continue;
    auto used = disk_usage(volume_path(pod.metadata.uid, v));
    if (used.ok() && *used > v.empty_dir->size_limit->value())
      return empty_dir_eviction_message(v.name, *v.empty_dir->size_limit);
  }
  return std::nullopt;
}

Status LocalVolumeManager::teardown_pod_volumes(const std::string& pod_uid) {
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
