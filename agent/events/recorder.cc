// Event recorder (see recorder.h).
#include "agent/events/recorder.h"

#include <chrono>

#include <fmt/format.h>

namespace nodeagent::events {

namespace {

// client-go's getEventKey: everything that makes two events "the same event".
std::string correlation_key(const kube::Event& e) {
  const auto& o = e.involved_object;
  // \x1f (unit separator) cannot appear in names and is unlikely in messages.
  return fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", e.source.component,
                     e.source.host, o.kind, o.namespace_, o.name, o.field_path, o.uid, o.api_version, e.type,
                     e.reason, e.message, e.reporting_instance);
}

bool matches(const kube::Event& e, const EventFilter& f) {
  const auto& o = e.involved_object;
  return (f.kind.empty() || o.kind == f.kind) && (f.namespace_.empty() || o.namespace_ == f.namespace_) &&
         (f.name.empty() || o.name == f.name) && (f.uid.empty() || o.uid == f.uid) &&
         (f.type.empty() || e.type == f.type);
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

kube::ObjectReference pod_reference(const kube::Pod& pod) {
  kube::ObjectReference ref;
  ref.kind = "Pod";
  ref.api_version = "v1";
  ref.namespace_ = pod.metadata.namespace_;
  ref.name = pod.metadata.name;
  ref.uid = pod.metadata.uid;
  ref.resource_version = pod.metadata.resource_version;
  return ref;
}

kube::ObjectReference container_reference(const kube::Pod& pod, const std::string& container_name) {
  kube::ObjectReference ref = pod_reference(pod);
  bool is_init = false;
  for (const auto& c : pod.spec.init_containers) {
    if (c.name == container_name) is_init = true;
  }
  ref.field_path = (is_init ? "spec.initContainers{" : "spec.containers{") + container_name + "}";
  return ref;
}

kube::ObjectReference manifest_reference(const std::string& file_path, const std::string& pod_name,
                                         const std::string& pod_namespace) {
  kube::ObjectReference ref;
  ref.kind = "Pod";
  ref.api_version = "v1";
  ref.namespace_ = pod_namespace.empty() ? "default" : pod_namespace;
  ref.name = pod_name.empty() ? base_name(file_path) : pod_name;
  return ref;
}

Recorder::Recorder(RecorderOptions options) : options_(std::move(options)) {}

std::string Recorder::unique_name(const std::string& object_name, kube::Time now) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::string name = fmt::format("{}.{:x}", object_name, nanos);
  while (names_.count(name) > 0) name = fmt::format("{}.{:x}", object_name, ++nanos);  // same instant
  return name;
}

kube::Event Recorder::record(const kube::ObjectReference& object, const std::string& type,
                             const std::string& reason, const std::string& message) {
  const kube::Time now = options_.now ? options_.now() : std::chrono::system_clock::now();
  kube::Event event;
  event.involved_object = object;
  event.type = type;
  event.reason = reason;
  event.message = message;
  event.source = kube::EventSource{kComponent, options_.node_name};
  event.reporting_component = kComponent;
  event.reporting_instance = options_.node_name;
  const std::string key = correlation_key(event);

  kube::Event stored;
  std::vector<Listener> listeners;
  {
    std::lock_guard lock(mu_);
    auto found = by_key_.find(key);
    if (found != by_key_.end()) {
      // Same event again: count it on the one we have and make it the most recent.
      ring_.splice(ring_.end(), ring_, found->second);
      kube::Event& existing = *found->second;
      existing.count += 1;
      existing.last_timestamp = now;
      stored = existing;
    } else {
      event.metadata.name = unique_name(object.name, now);
      event.metadata.namespace_ = object.namespace_.empty() ? "default" : object.namespace_;
      event.first_timestamp = now;
      event.last_timestamp = now;
      event.count = 1;
      ring_.push_back(event);
      by_key_[key] = std::prev(ring_.end());
      names_.insert(event.metadata.name);
      while (ring_.size() > options_.capacity && !ring_.empty()) {
        by_key_.erase(correlation_key(ring_.front()));
        names_.erase(ring_.front().metadata.name);
        ring_.pop_front();
      }
      stored = event;
    }
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(stored);
  return stored;
}

kube::Event Recorder::record_manifest(const std::string& file_path, const std::string& pod_name,
                                      const std::string& type, const std::string& reason,
                                      const std::string& message) {
  return record(manifest_reference(file_path, pod_name), type, reason, file_path + ": " + message);
}

std::vector<kube::Event> Recorder::list(const EventFilter& filter) const {
  std::lock_guard lock(mu_);
  std::vector<kube::Event> out;
  for (const auto& e : ring_) {
    if (matches(e, filter)) out.push_back(e);
  }
  return out;
}

std::size_t Recorder::size() const {
  std::lock_guard lock(mu_);
  return ring_.size();
}

void Recorder::add_listener(Listener listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace nodeagent::events
