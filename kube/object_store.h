// An ObjectSource held in memory: a source (the manifest directory) replaces its whole content
// with each snapshot. Thread-safe: readers (pod workers) and the writer (the source's thread)
// run at once.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kube/object_source.h"

namespace nodeagent::kube {

// Everything a source knows, as it decoded it.
struct ObjectSet {
  std::vector<ConfigMap> config_maps;
  std::vector<Secret> secrets;
  std::vector<PersistentVolume> persistent_volumes;
  std::vector<PersistentVolumeClaim> persistent_volume_claims;
};

// An object that a replace_all added, changed or removed. kind is "ConfigMap", "Secret",
// "PersistentVolume" or "PersistentVolumeClaim"; namespace_ is "" for PVs.
struct ObjectChange {
  std::string kind;
  std::string namespace_;
  std::string name;
  friend bool operator==(const ObjectChange&, const ObjectChange&) = default;
};

class InMemoryObjectStore final : public ObjectSource {
 public:
  // Replaces everything; of two objects with one namespace/name the later wins. Returns what
  // differs from before (by value), so that the pods referencing it can be synced at once.
  std::vector<ObjectChange> replace_all(const ObjectSet& objects);

  [[nodiscard]] Result<ConfigMap> get_config_map(const std::string& ns, const std::string& name) const override;
  [[nodiscard]] Result<Secret> get_secret(const std::string& ns, const std::string& name) const override;
  [[nodiscard]] Result<PersistentVolume> get_persistent_volume(const std::string& name) const override;
  [[nodiscard]] Result<PersistentVolumeClaim> get_persistent_volume_claim(const std::string& ns,
                                                                         const std::string& name) const override;
  [[nodiscard]] Result<std::vector<PersistentVolume>> list_persistent_volumes() const override;
  [[nodiscard]] Result<std::vector<PersistentVolumeClaim>> list_persistent_volume_claims() const override;

 private:
  using Key = std::pair<std::string, std::string>;  // namespace ("" for PVs), name
  mutable std::mutex mu_;
  std::map<Key, ConfigMap> config_maps_;
  std::map<Key, Secret> secrets_;
  std::map<Key, PersistentVolume> persistent_volumes_;
  std::map<Key, PersistentVolumeClaim> persistent_volume_claims_;
};

}  // namespace nodeagent::kube
