// Two ObjectSources asked in order: joined to a control plane, the manifest directory's
// InMemoryObjectStore first (static pods' ConfigMaps and Secrets come from files, and the Node
// authorizer would refuse them anyway: mirror pods may not reference API objects), then the API
// server (ApiObjectSource). Only a NotFound from the first falls through to the second; the
// second's answer, error included, is the result.
//
// Lists (the standalone PV binder's) are the first's, with the second's added when it can list
// (ApiObjectSource cannot), the first winning for a name both have.
#pragma once

#include "kube/object_source.h"

namespace nodeagent::cluster {

class CompositeObjectSource final : public kube::ObjectSource {
 public:
  CompositeObjectSource(const kube::ObjectSource& first, const kube::ObjectSource& second)
      : first_(first), second_(second) {}

  [[nodiscard]] Result<kube::ConfigMap> get_config_map(const std::string& ns, const std::string& name) const override;
  [[nodiscard]] Result<kube::Secret> get_secret(const std::string& ns, const std::string& name) const override;
  [[nodiscard]] Result<kube::PersistentVolume> get_persistent_volume(const std::string& name) const override;
  [[nodiscard]] Result<kube::PersistentVolumeClaim> get_persistent_volume_claim(const std::string& ns,
                                                                               const std::string& name) const override;
  [[nodiscard]] Result<std::vector<kube::PersistentVolume>> list_persistent_volumes() const override;
  [[nodiscard]] Result<std::vector<kube::PersistentVolumeClaim>> list_persistent_volume_claims() const override;

 private:
  const kube::ObjectSource& first_;
  const kube::ObjectSource& second_;
};

}  // namespace nodeagent::cluster
