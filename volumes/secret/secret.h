// secret volumes (kubelet's kubernetes.io/secret): the Secret's keys (or the chosen items) as
// files on a tmpfs of the volume's own, so that secret bytes never reach the node's disk;
// written atomically (volumes/atomic) and rewritten by the set_up of each sync when the
// object changed. A missing Secret or key is an error unless the volume is optional.
#pragma once

#include <memory>

#include "kube/object_source.h"
#include "volumes/mount/mounter.h"
#include "volumes/payload/payload_writer.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

class SecretPlugin final : public VolumePlugin {
 public:
  SecretPlugin(std::shared_ptr<Mounter> mounter, const kube::ObjectSource* objects)
      : mounter_(std::move(mounter)), objects_(objects) {}
  std::string name() const override { return "kubernetes.io/secret"; }
  bool handles(const kube::Volume& volume) const override { return volume.secret.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string& dir) override;
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir; }

 private:
  std::shared_ptr<Mounter> mounter_;
  const kube::ObjectSource* objects_;
  PayloadWriter writer_;
};

}  // namespace nodeagent::volumes
