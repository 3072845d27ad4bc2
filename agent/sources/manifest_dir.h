// The static pod source: a directory of manifests (YAML or JSON, one or more documents per
// file: v1 Pods, v1 Services / discovery.k8s.io/v1 EndpointSlices for the service proxy, and
// v1 ConfigMaps, Secrets, PersistentVolumes and PersistentVolumeClaims for the object store
// that volumes and env references read, kube/object_store.h),
// watched with inotify, with a periodic rescan as the safety net (kubelet's
// --file-check-frequency). Every change produces a full snapshot of what the directory asks for.
//
// A bad document (YAML error, wrong type, invalid field) is reported once per file content,
// naming the file, the object and the field, and only that document is left out; everything
// else in the directory keeps running.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/object_store.h"
#include "kube/types.h"

namespace nodeagent::sources {

struct ManifestSnapshot {
  std::vector<std::shared_ptr<const kube::Pod>> pods;
  std::vector<kube::Service> services;
  std::vector<kube::EndpointSlice> endpoint_slices;
  kube::ObjectSet objects;  // for kube::InMemoryObjectStore::replace_all
};

struct ManifestProblem {
  std::string file;
  std::string object;    // "pod default/web" when known, else ""
  std::string message;   // names the field
  bool warning = false;  // true: the object was accepted (e.g. unknown field)
};

class ManifestDirSource {
 public:
  using SnapshotFn = std::function<void(const ManifestSnapshot&)>;
  using ProblemFn = std::function<void(const ManifestProblem&)>;

  // `state_dir` (may be ""): where the first-seen time of each static pod UID is kept
  // (<state_dir>/pods/<uid>/first-seen), so that creationTimestamp and config.seen survive an
  // agent restart.
  ManifestDirSource(std::string dir, std::string node_name, std::chrono::seconds rescan_period, SnapshotFn on_snapshot,
                    ProblemFn on_problem, std::string state_dir = "");
  ~ManifestDirSource();

  // Reads the directory now and returns the snapshot (also used by tests, without start()).
  ManifestSnapshot scan();
  // Watches the directory on a thread of its own; calls on_snapshot after the first scan and
  // after every change. Idempotent.
  void start();
  void stop();

 private:
  struct FileEntry {
    std::string content;  // as last read
    ManifestSnapshot parsed;
    kube::Time seen;
  };
  FileEntry parse_file(const std::string& path, const std::string& content, kube::Time seen);
  // The time this UID was first seen: read from the state dir, or `now` (and recorded).
  kube::Time first_seen(const std::string& uid, kube::Time now) const;
  void watch_loop();

  std::string dir_;
  std::string node_name_;
  std::chrono::seconds rescan_period_;
  SnapshotFn on_snapshot_;
  ProblemFn on_problem_;
  std::string state_dir_;
  std::mutex mu_;
  std::map<std::string, FileEntry> files_;
  std::atomic<bool> stopping_{false};
  int wake_fd_ = -1;  // eventfd to interrupt the watch loop on stop()
  std::thread thread_;
};

}  // namespace nodeagent::sources
