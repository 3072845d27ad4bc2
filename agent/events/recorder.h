// The event recorder: v1 Events about pods (and about manifest files that could not become
// pods), made the way kubelet's client-go recorder makes them, kept in a bounded ring for
// `nodectl events` and for a future API server sink.
//
//  - Event: name "<object name>.<hex unix nanos>", namespace of the object ("default" when it
//    has none), source {component: kubelet, host: <node>}, reportingComponent "kubelet",
//    reportingInstance <node>, first/lastTimestamp, count 1.
//  - Identical events (same object incl. fieldPath, type, reason, message) are aggregated the
//    way client-go's event correlator does in its simple form: the stored event keeps its name
//    and firstTimestamp, its count goes up and lastTimestamp moves to now.
//  - At most `capacity` events are kept; the least recently updated one goes first.
//  - Listeners hear about every recorded event (new or aggregated), synchronously after the
//    recorder's lock is released: they must be quick.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "kube/types.h"

namespace nodeagent::events {

inline constexpr const char* kNormal = "Normal";
inline constexpr const char* kWarning = "Warning";
inline constexpr const char* kComponent = "kubelet";

struct RecorderOptions {
  std::string node_name;
  std::size_t capacity = 1000;
  std::function<kube::Time()> now;  // empty = the system clock
};

// Which events list() returns; empty fields match anything.
struct EventFilter {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string type;
};

// The involved-object reference of a pod, or of one of its containers (fieldPath
// "spec.containers{name}" / "spec.initContainers{name}", as kubelet writes it).
kube::ObjectReference pod_reference(const kube::Pod& pod);
kube::ObjectReference container_reference(const kube::Pod& pod, const std::string& container_name);
// A manifest file that did not become a pod: kind Pod, the name (and namespace) read from the
// file if it got that far, else the file's base name.
kube::ObjectReference manifest_reference(const std::string& file_path, const std::string& pod_name = "",
                                         const std::string& pod_namespace = "");

class Recorder {
 public:
  using Listener = std::function<void(const kube::Event&)>;

  explicit Recorder(RecorderOptions options);

  // Records an event (type Normal or Warning) and returns it as stored (count > 1 when it was
  // aggregated with an identical one).
  kube::Event record(const kube::ObjectReference& object, const std::string& type, const std::string& reason,
                     const std::string& message);

  // An event about a manifest file: the file path leads the message so that it is never lost,
  // even when the object's name could not be read.
  kube::Event record_manifest(const std::string& file_path, const std::string& pod_name, const std::string& type,
                              const std::string& reason, const std::string& message);

  // Matching events, least recently updated first.
  std::vector<kube::Event> list(const EventFilter& filter = {}) const;
  std::size_t size() const;

  void add_listener(Listener listener);

 private:
  std::string unique_name(const std::string& object_name, kube::Time now);

  const RecorderOptions options_;
  mutable std::mutex mu_;
  std::list<kube::Event> ring_;  // least recently updated first
  std::unordered_map<std::string, std::list<kube::Event>::iterator> by_key_;  // correlation key -> event
  std::set<std::string> names_;
  std::vector<Listener> listeners_;
};

}  // namespace nodeagent::events
