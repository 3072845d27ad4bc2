// One list + watch per ConfigMap or Secret the node's pods read (see object_watches.h).
#include "agent/cluster/object_watches.h"

#include "agent/cluster/cluster_context.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

std::string describe(ObjectKind kind, const std::string& ns, const std::string& name) {
  return std::string(kind_info(kind).singular) + " " + ns + "/" + name;
}

}  // namespace

ObjectWatches::ObjectWatches(kube::client::ApiClient& client, const Clock& clock, ObjectWatchesOptions options)
    : client_(client), clock_(clock), options_(options) {}

ObjectWatches::~ObjectWatches() { stop_all(); }

void ObjectWatches::set_on_changes(ChangesFn on_changes) {
  std::lock_guard lock(mu_);
  on_changes_ = std::move(on_changes);
}

std::shared_ptr<ObjectWatches::Watch> ObjectWatches::start_watch(const Key& key) {
  const auto& [kind, ns, name] = key;
  auto w = std::make_shared<Watch>();
  kube::client::ReflectorOptions ro;
  ro.what = describe(kind, ns, name);
  ro.path = namespaced_path(ns, kind_info(kind).resource);
  ro.field_selector = "metadata.name=" + name;
  ro.min_watch_timeout = options_.min_watch_timeout;
  Watch* raw = w.get();
  w->reflector = std::make_unique<kube::client::Reflector>(
      client_, ro, [this, key, raw](const kube::client::ObjectMap& objects, bool) { on_objects(key, *raw, objects); },
      [this, raw](const Error& e) { on_error(*raw, e); });
  w->reflector->start();
  return w;
}

void ObjectWatches::on_objects(const Key& key, Watch& w, const kube::client::ObjectMap& objects) {
  const auto& [kind, ns, name] = key;
  std::optional<kube::Object> now;
  std::string rv;
  std::optional<Error> undecodable;
  if (auto it = objects.find(ns + "/" + name); it != objects.end()) {
    rv = it->second.value("/metadata/resourceVersion"_json_pointer, std::string());
    auto decoded = decode_api_object(it->second, kind, describe(kind, ns, name));
    if (decoded.ok())
      now = std::move(decoded).value();
    else
      undecodable = decoded.error();
  }
  ChangesFn notify;
  {
    std::lock_guard lock(mu_);
    const bool existed = w.object.has_value();
    const bool changed = w.synced && (existed != now.has_value() || (now && rv != w.resource_version));
    if (undecodable) {
      log::get("cluster")->warn("{}: cannot decode it: {}", describe(kind, ns, name), undecodable->message);
      w.undecodable = undecodable;  // the last good copy (if any) stays for readers
    } else {
      w.undecodable.reset();
      w.object = std::move(now);
      w.resource_version = rv;
    }
    w.synced = true;
    w.refused.reset();
    w.last_error.reset();
    if (changed && !undecodable) notify = on_changes_;
  }
  synced_cv_.notify_all();
  if (notify) notify({{kind_info(kind).kind, ns, name}});
}

void ObjectWatches::on_error(Watch& w, const Error& e) {
  {
    std::lock_guard lock(mu_);
    if (e.code == ErrorCode::kPermissionDenied)
      w.refused = without_request(e);
    else
      w.last_error = e;
  }
  synced_cv_.notify_all();
}

void ObjectWatches::retire(std::map<Key, std::shared_ptr<Watch>>::iterator it) {
  retired_.push_back(std::move(it->second));
  watches_.erase(it);
}

Result<kube::Object> ObjectWatches::get(ObjectKind kind, const std::string& ns, const std::string& name) {
  const Key key{kind, ns, name};
  std::unique_lock lock(mu_);
  auto it = watches_.find(key);
  if (it == watches_.end()) it = watches_.emplace(key, start_watch(key)).first;
  std::shared_ptr<Watch> w = it->second;
  w->last_read = clock_.now();
  synced_cv_.wait_for(lock, options_.sync_timeout, [&] { return w->synced || w->refused; });
  if (w->refused) {
    // The API server's words, which name the object and the identity, as kubelet shows them.
    Error refused = *w->refused;
    if (auto again = watches_.find(key); again != watches_.end() && again->second == w) retire(again);
    return refused;
  }
  if (!w->synced)
    return unavailable("failed to sync " + std::string(kind_info(kind).singular) + " cache for " + ns + "/" + name +
                       ": " + (w->last_error ? w->last_error->message : "timed out waiting for the condition"));
  if (w->object) return *w->object;
  if (w->undecodable) return *w->undecodable;
  return not_found(std::string(kind_info(kind).singular) + " \"" + name + "\" not found");
}

void ObjectWatches::maintain() {
  std::vector<std::shared_ptr<Watch>> to_stop;
  std::vector<std::unique_ptr<kube::client::Reflector>> finished;  // immutable objects: the copy stays
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.now();
    for (auto it = watches_.begin(); it != watches_.end();) {
      Watch& w = *it->second;
      if (now - w.last_read >= options_.forget_after || w.refused) {
        auto next = std::next(it);
        retire(it);
        it = next;
        continue;
      }
      if (w.reflector && w.object && immutable_object(*w.object)) finished.push_back(std::move(w.reflector));
      ++it;
    }
    to_stop.swap(retired_);
  }
  // Outside mu_: a reflector's callbacks take it, and stop() waits for them.
  for (auto& r : finished) r->stop();
  for (auto& w : to_stop)
    if (w->reflector) w->reflector->stop();
}

void ObjectWatches::stop_all() {
  {
    std::lock_guard lock(mu_);
    for (auto it = watches_.begin(); it != watches_.end();) {
      auto next = std::next(it);
      retire(it);
      it = next;
    }
  }
  maintain();
}

size_t ObjectWatches::size() const {
  std::lock_guard lock(mu_);
  return watches_.size();
}

}  // namespace nodeagent::cluster
