// hostPath volumes (kubelet's kubernetes.io/host-path): the node's own path, checked against
// the volume's type (Directory, FileOrCreate, Socket, ...) with kubelet's messages; the OrCreate
// types create it. Nothing is mounted and nothing of the host is ever removed.
#pragma once

#include <string>

#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

class HostPathPlugin final : public VolumePlugin {
 public:
  std::string name() const override { return "kubernetes.io/host-path"; }
  bool handles(const kube::Volume& volume) const override { return volume.host_path.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string&) override { return ok_status(); }
  std::string host_path(const kube::Volume& volume, const std::string&) const override { return volume.host_path->path; }
};

// The type check alone (kubelet's checkType), for the plugin and its tests.
[[nodiscard]] Status check_host_path(const kube::HostPathVolumeSource& source);

}  // namespace nodeagent::volumes
