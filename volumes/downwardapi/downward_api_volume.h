// downwardAPI volumes (kubelet's kubernetes.io/downward-api): the pod's fields (name,
// namespace, uid, labels, annotations, node, service account, IPs) and its containers'
// resources as files on the node's disk, written atomically and rewritten by the set_up of the
// sync that follows a change of the pod (labels, annotations) or of its IPs.
#pragma once

#include "volumes/payload/payload_writer.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

class DownwardApiPlugin final : public VolumePlugin {
 public:
  std::string name() const override { return "kubernetes.io/downward-api"; }
  bool handles(const kube::Volume& volume) const override { return volume.downward_api.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string& dir) override;
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir; }

 private:
  PayloadWriter writer_;
};

}  // namespace nodeagent::volumes
