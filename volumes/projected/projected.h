// projected volumes (kubelet's kubernetes.io/projected): configMap, secret, downwardAPI and
// serviceAccountToken sources in one directory (projected_payload.h), on a tmpfs of the
// volume's own (they may hold secrets), written atomically and rewritten by the set_up of each
// sync when a source changed.
#pragma once

#include <memory>

#include "kube/object_source.h"
#include "volumes/mount/mounter.h"
#include "volumes/payload/payload_writer.h"
#include "volumes/plugin/token_source.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

class ProjectedPlugin final : public VolumePlugin {
 public:
  ProjectedPlugin(std::shared_ptr<Mounter> mounter, const kube::ObjectSource* objects, TokenSource* tokens)
      : mounter_(std::move(mounter)), objects_(objects), tokens_(tokens) {}
  std::string name() const override { return "kubernetes.io/projected"; }
  bool handles(const kube::Volume& volume) const override { return volume.projected.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string& dir) override;
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir; }

 private:
  std::shared_ptr<Mounter> mounter_;
  const kube::ObjectSource* objects_;
  TokenSource* tokens_;
  PayloadWriter writer_;
};

}  // namespace nodeagent::volumes
