// StatusManager: the agent's versioned cache of pod statuses, like kubelet's status manager.
//
//  - set_pod_status() stores a status only when it differs from the cached one, ignoring the
//    timestamps of kubelet-owned conditions (lastProbeTime, lastTransitionTime), and then bumps
//    the pod's version (versions grow across all pods, so a consumer can remember the last one
//    it handled per pod). startTime, once set, never changes.
//  - Listeners (an API server status syncer, the service proxy's endpoint computation) are told
//    which pods changed. Notifications are coalesced: a pod that changed five times before the
//    notifier thread got to it is reported once. Listeners run on that one notifier thread and
//    must return quickly (post work to their own loop); they read statuses with get_pod_status().
//  - Every stored status is written to <root-dir>/pods/<uid>/status.json (kube/encode.h, written
//    with util/atomic_file.h), and load_all() reads them back at start, so a restarted agent keeps startTime,
//    lastState and restart counts of containers containerd no longer has. A failed write is
//    logged and retried on the next set_pod_status() for that pod.
//
// Thread-safe. Reads never wait on disk writes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::status {

struct VersionedStatus {
  kube::PodStatus status;
  uint64_t version = 0;
};

struct LoadReport {
  std::size_t loaded = 0;
  std::vector<std::string> errors;  // one per unreadable file: "<path>: <why>"
};

class StatusManager {
 public:
  using Listener = std::function<void(const std::vector<std::string>& changed_pod_uids)>;
  using ListenerId = uint64_t;

  // `root_dir`: the agent's --root-dir; "" keeps statuses in memory only.
  explicit StatusManager(std::string root_dir);
  ~StatusManager();
  StatusManager(const StatusManager&) = delete;
  StatusManager& operator=(const StatusManager&) = delete;

  // Reads every <root-dir>/pods/*/status.json into the cache (before the pod workers start).
  // Unreadable files are reported and skipped; only an unreadable pods directory is an error.
  Result<LoadReport> load_all();

  // Returns true when the status changed (and was stored, versioned, persisted, announced).
  bool set_pod_status(const std::string& pod_uid, kube::PodStatus status);

  std::optional<kube::PodStatus> get_pod_status(const std::string& pod_uid) const;
  std::optional<VersionedStatus> get_versioned(const std::string& pod_uid) const;
  // Every cached pod uid with its version.
  std::map<std::string, uint64_t> versions() const;

  // Forgets the pod and deletes its status.json; listeners hear about it (get returns nothing).
  void remove(const std::string& pod_uid);

  ListenerId add_listener(Listener listener);
  // After it returns the listener is not running and will not run again (when called from a
  // listener itself, that listener's current call is the exception).
  void remove_listener(ListenerId id);

  // Stops the notifier thread; pending notifications are dropped. Idempotent; not to be called
  // from a listener.
  void stop();

 private:
  struct Entry {
    kube::PodStatus status;
    std::string fingerprint;  // normalized JSON, what "changed" compares
    uint64_t version = 0;
    bool persisted = false;
  };

  std::string status_path(const std::string& pod_uid) const;
  Status persist(const std::string& pod_uid, const kube::PodStatus& status) const;
  void announce(const std::string& pod_uid);
  void notifier_loop();

  const std::string root_dir_;

  // Serialises writers (set/remove/load) so that files are written in version order; readers
  // only take mu_.
  std::mutex write_mu_;

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  uint64_t next_version_ = 1;

  std::mutex notify_mu_;
  std::condition_variable notify_cv_;
  std::set<std::string> pending_;
  std::map<ListenerId, Listener> listeners_;
  ListenerId next_listener_id_ = 1;
  bool stopping_ = false;
  std::mutex dispatch_mu_;
  std::mutex stop_mu_;  // held while listeners run, so remove_listener can wait them out
  std::thread notifier_;
};

}  // namespace nodeagent::status
