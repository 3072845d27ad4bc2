// InMemoryObjectStore: maps keyed by namespace/name, swapped whole under one lock.
#include "kube/object_store.h"

#include "kube/encode.h"

namespace nodeagent::kube {

namespace {

template <typename T>
std::map<std::pair<std::string, std::string>, T> index(const std::vector<T>& objects) {
  std::map<std::pair<std::string, std::string>, T> out;
  for (const auto& o : objects) out[{o.metadata.namespace_, o.metadata.name}] = o;
  return out;
}

template <typename T>
Result<T> lookup(std::mutex& mu, const std::map<std::pair<std::string, std::string>, T>& m, const std::string& ns,
                 const std::string& name, const char* kind) {
  std::lock_guard lock(mu);
  auto it = m.find({ns, name});
  if (it == m.end()) return not_found(std::string(kind) + " \"" + name + "\" not found");
  return it->second;
}

// Added, removed and changed keys of `after` against `before`, compared by their encoding.
template <typename T>
void diff(const std::map<std::pair<std::string, std::string>, T>& before,
          const std::map<std::pair<std::string, std::string>, T>& after, const char* kind,
          std::vector<ObjectChange>& out) {
  for (const auto& [key, o] : after) {
    auto it = before.find(key);
    if (it == before.end() || encode(it->second) != encode(o)) out.push_back({kind, key.first, key.second});
  }
  for (const auto& [key, o] : before)
    if (!after.count(key)) out.push_back({kind, key.first, key.second});
}

template <typename T>
std::vector<T> values(std::mutex& mu, const std::map<std::pair<std::string, std::string>, T>& m) {
  std::lock_guard lock(mu);
  std::vector<T> out;
  out.reserve(m.size());
  for (const auto& [key, o] : m) out.push_back(o);
  return out;
}

}  // namespace

std::vector<ObjectChange> InMemoryObjectStore::replace_all(const ObjectSet& objects) {
  auto config_maps = index(objects.config_maps);
  auto secrets = index(objects.secrets);
  auto pvs = index(objects.persistent_volumes);
  auto pvcs = index(objects.persistent_volume_claims);
  std::vector<ObjectChange> changes;
  std::lock_guard lock(mu_);
  diff(config_maps_, config_maps, "ConfigMap", changes);
  diff(secrets_, secrets, "Secret", changes);
  diff(persistent_volumes_, pvs, "PersistentVolume", changes);
  diff(persistent_volume_claims_, pvcs, "PersistentVolumeClaim", changes);
  config_maps_ = std::move(config_maps);
  secrets_ = std::move(secrets);
  persistent_volumes_ = std::move(pvs);
  persistent_volume_claims_ = std::move(pvcs);
  return changes;
}

Result<ConfigMap> InMemoryObjectStore::get_config_map(const std::string& ns, const std::string& name) const {
  return lookup(mu_, config_maps_, ns, name, "configmap");
}

Result<Secret> InMemoryObjectStore::get_secret(const std::string& ns, const std::string& name) const {
  return lookup(mu_, secrets_, ns, name, "secret");
}

Result<PersistentVolume> InMemoryObjectStore::get_persistent_volume(const std::string& name) const {
  return lookup(mu_, persistent_volumes_, "", name, "persistentvolume");
}

Result<PersistentVolumeClaim> InMemoryObjectStore::get_persistent_volume_claim(const std::string& ns,
                                                                              const std::string& name) const {
  return lookup(mu_, persistent_volume_claims_, ns, name, "persistentvolumeclaim");
}

Result<std::vector<PersistentVolume>> InMemoryObjectStore::list_persistent_volumes() const {
  return values(mu_, persistent_volumes_);
}

Result<std::vector<PersistentVolumeClaim>> InMemoryObjectStore::list_persistent_volume_claims() const {
  return values(mu_, persistent_volume_claims_);
}

}  // namespace nodeagent::kube
