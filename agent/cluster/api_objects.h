// ConfigMaps, Secrets, PersistentVolumes and PersistentVolumeClaims from the API server, for
// volumes and env references (kube::ObjectSource).
//
// ConfigMaps and Secrets: kubelet's default "Watch" change-detection strategy, one watch per
// object (ObjectWatches, object_watches.h). With ChangeDetection::kCache they are read as PVs and
// PVCs always are, with kubelet's "Cache" strategy (pkg/kubelet/util/manager/cache_based_manager.go):
//   - a GET on first use; the answer is used for `ttl`, then the next read GETs again;
//   - an error is never fresh: the next read asks again; a failed GET (other than 404) of an
//     object read before gives the cached object, as kubelet does;
//   - immutable ConfigMaps and Secrets are never fetched again;
//   - refresh() re-GETs every entry older than `ttl` and returns what changed (added, changed,
//     deleted), so that the agent wakes the pods that reference it (wake_pods_referencing) at
//     once instead of at their next resync. start() runs it every `refresh_period`: an update
//     reaches the pods that use the object within ttl + refresh_period (50 + 10 s by default,
//     the default --sync-frequency of 60 s);
//   - an entry no pod sync has read for `forget_after` is dropped; a refresh that the API server
//     refuses with 403 drops it too: the Node authorizer allows a node to GET only the objects its
//     pods reference, so a 403 means no pod of this node needs it any more.
//
// The Node authorizer refuses a node every list and watch of these, but for one referenced
// ConfigMap or Secret selected by metadata.name. So
// list_persistent_volumes() / list_persistent_volume_claims() fail: they serve the standalone
// PV binder only, and joined to a control plane the binder is off (VolumeHost::bind_claims =
// false: the claim's spec.volumeName is followed and that PV fetched by name).
//
// Errors are kubelet's: 404 -> kNotFound `configmap "x" not found`; 403 -> kPermissionDenied with
// the API server's words, which name the identity:
//   secrets "x" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group ""
//   in the namespace "default": no relationship found between node 'n1' and this object
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "agent/cluster/api_object_kinds.h"
#include "agent/cluster/cluster_context.h"
#include "agent/cluster/object_watches.h"
#include "kube/decode.h"
#include "kube/object_source.h"
#include "kube/object_store.h"

namespace nodeagent::cluster {

// kubelet's configMapAndSecretChangeDetectionStrategy (its "Get" is Cache with a TTL of 0).
enum class ChangeDetection { kWatch, kCache };

struct ApiObjectsOptions {
  ChangeDetection change_detection = ChangeDetection::kWatch;
  ObjectWatchesOptions watches;
  std::chrono::seconds ttl{50};
  std::chrono::seconds refresh_period{10};
  std::chrono::seconds forget_after{300};
};

class ApiObjectSource final : public kube::ObjectSource {
 public:
  explicit ApiObjectSource(const ClusterContext& ctx, ApiObjectsOptions options = {});
  ~ApiObjectSource() override;
  ApiObjectSource(const ApiObjectSource&) = delete;
  ApiObjectSource& operator=(const ApiObjectSource&) = delete;

  [[nodiscard]] Result<kube::ConfigMap> get_config_map(const std::string& ns, const std::string& name) const override;
  [[nodiscard]] Result<kube::Secret> get_secret(const std::string& ns, const std::string& name) const override;
  [[nodiscard]] Result<kube::PersistentVolume> get_persistent_volume(const std::string& name) const override;
  [[nodiscard]] Result<kube::PersistentVolumeClaim> get_persistent_volume_claim(const std::string& ns,
                                                                               const std::string& name) const override;
  // kFailedPrecondition: a node may not list these (see above).
  [[nodiscard]] Result<std::vector<kube::PersistentVolume>> list_persistent_volumes() const override;
  [[nodiscard]] Result<std::vector<kube::PersistentVolumeClaim>> list_persistent_volume_claims() const override;

  // Re-GETs the entries older than ttl, drops the unused ones; returns the objects that were
  // created, changed or deleted since they were last read (also by a read's own GET).
  std::vector<kube::ObjectChange> refresh();

  // Calls refresh() every refresh_period on a thread of its own, and on_changes with what changed
  // (not called when nothing did). stop() is idempotent.
  void start(std::function<void(std::vector<kube::ObjectChange>)> on_changes);
  void stop();

  size_t cached() const;  // entries, for tests and views

 private:
  using Kind = ObjectKind;
  using Key = std::tuple<Kind, std::string, std::string>;  // kind, namespace ("" for PVs), name
  struct Entry {
    std::optional<kube::Object> object;  // the last object the API server returned
    bool deleted = false;                // the last answer was 404 (object may still hold the old one)
    bool failed = true;                  // the last answer was an error: not fresh
    Clock::TimePoint fetched{};
    Clock::TimePoint last_read{};
  };

  template <typename T>
  Result<T> get(Kind kind, const std::string& ns, const std::string& name) const;
  Result<kube::Object> fetch(const Key& key) const;  // one GET, decoded; no lock held
  // Stores a GET's answer; returns whether the object changed for its readers.
  bool store(const Key& key, const Result<kube::Object>& answer, Clock::TimePoint now) const;
  bool fresh(const Entry& e, Clock::TimePoint now) const;

  kube::client::ApiClient& client_;
  const Clock& clock_;
  ApiObjectsOptions options_;

  mutable std::mutex mu_;
  mutable std::map<Key, Entry> entries_;
  mutable std::vector<kube::ObjectChange> pending_;  // changes seen by reads, for the next refresh

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread thread_;

  mutable ObjectWatches watches_;  // after client_ and clock_, which it uses
};

}  // namespace nodeagent::cluster
