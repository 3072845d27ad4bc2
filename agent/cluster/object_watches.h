// kubelet's "Watch" change-detection strategy for ConfigMaps and Secrets, its default
// (pkg/kubelet/util/manager/watch_based_manager.go): one list + watch per object a pod reads, with
// `fieldSelector=metadata.name=<name>` in the object's namespace. The Node authorizer allows a node
// exactly that for the objects its pods reference. Compared with a GET every TTL, an unchanged
// object costs one watch request per 5-10 minutes, and a change reaches the pods at once.
//   - get() starts the watch on first use and waits up to sync_timeout (1 s, as kubelet) for its
//     first list; then it answers from the watch's copy: no request. An object the list did not
//     return is `configmap "x" not found`, and a later ADDED brings it.
//   - A 403 (no pod of this node references it, or not yet: the authorizer learns references from
//     its own watch) is returned to the reader at once, and the watch is retired: the next get()
//     starts a fresh one, not one parked in the reflector's long 403 back-off.
//   - Every change after the first list is passed to on_changes from the watch's thread, so the
//     agent wakes the pods that reference the object.
//   - maintain() (ApiObjectSource's refresh loop) stops the watches no read has used for
//     forget_after, the retired ones, and those whose object is immutable (kubelet stops those
//     too: they cannot change; the copy stays).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "agent/cluster/api_object_kinds.h"
#include "kube/client/reflector.h"
#include "kube/object_store.h"
#include "util/clock.h"

namespace nodeagent::cluster {

struct ObjectWatchesOptions {
  std::chrono::milliseconds sync_timeout{1000};
  std::chrono::seconds forget_after{300};
  std::chrono::seconds min_watch_timeout{300};  // the reflector's: each watch lasts 5-10 min
};

class ObjectWatches {
 public:
  using ChangesFn = std::function<void(std::vector<kube::ObjectChange>)>;

  ObjectWatches(kube::client::ApiClient& client, const Clock& clock, ObjectWatchesOptions options = {});
  ~ObjectWatches();
  ObjectWatches(const ObjectWatches&) = delete;
  ObjectWatches& operator=(const ObjectWatches&) = delete;

  void set_on_changes(ChangesFn on_changes);

  // kind is kConfigMap or kSecret.
  Result<kube::Object> get(ObjectKind kind, const std::string& ns, const std::string& name);

  void maintain();
  void stop_all();
  size_t size() const;

 private:
  using Key = std::tuple<ObjectKind, std::string, std::string>;
  struct Watch {
    std::unique_ptr<kube::client::Reflector> reflector;
    std::optional<kube::Object> object;  // empty: the last list/watch had none of that name
    std::string resource_version;
    bool synced = false;
    std::optional<Error> refused;     // a 403 from the list or the watch
    std::optional<Error> last_error;  // the last other failure, for a sync timeout's message
    std::optional<Error> undecodable;
    Clock::TimePoint last_read{};
  };

  std::shared_ptr<Watch> start_watch(const Key& key);
  void on_objects(const Key& key, Watch& w, const kube::client::ObjectMap& objects);
  void on_error(Watch& w, const Error& e);
  void retire(std::map<Key, std::shared_ptr<Watch>>::iterator it);  // mu_ held

  kube::client::ApiClient& client_;
  const Clock& clock_;
  ObjectWatchesOptions options_;

  mutable std::mutex mu_;
  std::condition_variable synced_cv_;
  std::map<Key, std::shared_ptr<Watch>> watches_;
  std::vector<std::shared_ptr<Watch>> retired_;  // stopped (joined) by maintain(), never under mu_
  ChangesFn on_changes_;
};

}  // namespace nodeagent::cluster
