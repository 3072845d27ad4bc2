// Where volumes and env references read the objects a pod refers to (ConfigMaps, Secrets,
// PersistentVolumes, PersistentVolumeClaims): the manifest directory today (InMemoryObjectStore,
// object_store.h), the API server later (the Node authorizer lets a node read exactly the
// objects its pods reference). A missing object is a NotFound error, in kubelet's words:
//   configmap "settings" not found
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  [[nodiscard]] virtual Result<ConfigMap> get_config_map(const std::string& ns, const std::string& name) const = 0;
  [[nodiscard]] virtual Result<Secret> get_secret(const std::string& ns, const std::string& name) const = 0;
  // PersistentVolumes are cluster-scoped.
  [[nodiscard]] virtual Result<PersistentVolume> get_persistent_volume(const std::string& name) const = 0;
  [[nodiscard]] virtual Result<PersistentVolumeClaim> get_persistent_volume_claim(const std::string& ns,
                                                                                 const std::string& name) const = 0;
  // Every PV and every PVC, for the standalone PV binder (volumes/binding), which, like the
  // control plane's, looks at all of them at once. Ordered by namespace, then name.
  [[nodiscard]] virtual Result<std::vector<PersistentVolume>> list_persistent_volumes() const = 0;
  [[nodiscard]] virtual Result<std::vector<PersistentVolumeClaim>> list_persistent_volume_claims() const = 0;
};

}  // namespace nodeagent::kube
