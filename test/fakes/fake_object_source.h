// kube::ObjectSource for tests: objects a test puts in, every get recorded ("get_config_map
// ns/name", ...; also to the shared CallLog when set), each call can be made to fail. Missing
// objects are NotFound with the real store's words.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "kube/object_store.h"
#include "test/fakes/call_log.h"

namespace nodeagent::fakes {

class FakeObjectSource : public kube::ObjectSource {
 public:
  Result<kube::ConfigMap> get_config_map(const std::string& ns, const std::string& name) const override {
    record("get_config_map " + ns + "/" + name);
    if (auto e = faults.take("get_config_map")) return *e;
    return store().get_config_map(ns, name);
  }
  Result<kube::Secret> get_secret(const std::string& ns, const std::string& name) const override {
    record("get_secret " + ns + "/" + name);
    if (auto e = faults.take("get_secret")) return *e;
    return store().get_secret(ns, name);
  }
  Result<kube::PersistentVolume> get_persistent_volume(const std::string& name) const override {
    record("get_persistent_volume " + name);
    if (auto e = faults.take("get_persistent_volume")) return *e;
    return store().get_persistent_volume(name);
  }
  Result<kube::PersistentVolumeClaim> get_persistent_volume_claim(const std::string& ns,
                                                                 const std::string& name) const override {
    record("get_persistent_volume_claim " + ns + "/" + name);
    if (auto e = faults.take("get_persistent_volume_claim")) return *e;
    return store().get_persistent_volume_claim(ns, name);
  }
  Result<std::vector<kube::PersistentVolume>> list_persistent_volumes() const override {
    record("list_persistent_volumes");
    if (auto e = faults.take("list_persistent_volumes")) return *e;
    return store().list_persistent_volumes();
  }
  Result<std::vector<kube::PersistentVolumeClaim>> list_persistent_volume_claims() const override {
    record("list_persistent_volume_claims");
    if (auto e = faults.take("list_persistent_volume_claims")) return *e;
    return store().list_persistent_volume_claims();
  }

  void add(kube::ConfigMap o) { update([&](kube::ObjectSet& s) { s.config_maps.push_back(std::move(o)); }); }
  void add(kube::Secret o) { update([&](kube::ObjectSet& s) { s.secrets.push_back(std::move(o)); }); }
  void add(kube::PersistentVolume o) { update([&](kube::ObjectSet& s) { s.persistent_volumes.push_back(std::move(o)); }); }
  void add(kube::PersistentVolumeClaim o) {
    update([&](kube::ObjectSet& s) { s.persistent_volume_claims.push_back(std::move(o)); });
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  mutable Faults faults{{"get_config_map", "get_secret", "get_persistent_volume", "get_persistent_volume_claim",
                          "list_persistent_volumes", "list_persistent_volume_claims"}};
  CallLog* log = nullptr;  // also gets "objects.<call> ..." entries when set

 private:
  void record(std::string entry) const {
    std::lock_guard lock(mu_);
    if (log) log->add("objects." + entry);
    calls_.push_back(std::move(entry));
  }
  template <typename Fn>
  void update(Fn fn) {
    std::lock_guard lock(mu_);
    fn(objects_);
    store_.replace_all(objects_);
  }
  const kube::InMemoryObjectStore& store() const { return store_; }

  mutable std::mutex mu_;
  mutable std::vector<std::string> calls_;
  kube::ObjectSet objects_;
  kube::InMemoryObjectStore store_;
};

}  // namespace nodeagent::fakes
