// configMap volumes (kubelet's kubernetes.io/configmap): the ConfigMap's keys (or the chosen
// items) as files on the node's disk, written atomically (volumes/atomic) and rewritten by the
// set_up of each sync when the object changed. A missing ConfigMap or key is an error unless
// the volume is optional; binaryData keys are files too.
#pragma once

#include "kube/object_source.h"
#include "volumes/payload/payload_writer.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

class ConfigMapPlugin final : public VolumePlugin {
 public:
  explicit ConfigMapPlugin(const kube::ObjectSource* objects) : objects_(objects) {}
  std::string name() const override { return "kubernetes.io/configmap"; }
  bool handles(const kube::Volume& volume) const override { return volume.config_map.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string& dir) override;
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir; }

 private:
  const kube::ObjectSource* objects_;
  PayloadWriter writer_;
};

}  // namespace nodeagent::volumes
