// ConfigMaps and Secrets by watch, PVs and PVCs by GET with a TTL cache (see api_objects.h).
#include "agent/cluster/api_objects.h"

#include <set>

#include "agent/cluster/api_object_kinds.h"

#include "kube/encode.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

bool same(const kube::Object& a, const kube::Object& b) {
  const auto& ra = kube::metadata_of(a).resource_version;
  const auto& rb = kube::metadata_of(b).resource_version;
  if (!ra.empty() && !rb.empty()) return ra == rb;
  return kube::encode(a) == kube::encode(b);
}

}  // namespace

ApiObjectSource::ApiObjectSource(const ClusterContext& ctx, ApiObjectsOptions options)
    : client_(*ctx.client), clock_(*ctx.clock), options_(options), watches_(client_, clock_, options.watches) {}

ApiObjectSource::~ApiObjectSource() { stop(); }

bool ApiObjectSource::fresh(const Entry& e, Clock::TimePoint now) const {
  if (e.failed || e.deleted || !e.object) return false;
  return immutable_object(*e.object) || now - e.fetched < options_.ttl;
}

Result<kube::Object> ApiObjectSource::fetch(const Key& key) const {
  const auto& [kind, ns, name] = key;
  const auto& ki = kind_info(kind);
  const std::string path = kind == Kind::kPersistentVolume ? std::string("/api/v1/persistentvolumes/") + name
                                                             : namespaced_path(ns, ki.resource, name);
  auto got = client_.get(path);
  if (!got.ok()) {
    if (got.error().code == ErrorCode::kNotFound)
      return not_found(std::string(ki.singular) + " \"" + name + "\" not found");
    return without_request(got.error());
  }
  return decode_api_object(std::move(*got), kind, path);
}

bool ApiObjectSource::store(const Key& key, const Result<kube::Object>& answer, Clock::TimePoint now) const {
  auto [it, added] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (added) e.last_read = now;
  const bool had = e.object && !e.deleted;
  bool changed = false;
  if (answer.ok()) {
    changed = !added && (!had || !same(*e.object, *answer));
    e.object = *answer;
    e.deleted = false;
    e.failed = false;
    e.fetched = now;
  } else if (answer.error().code == ErrorCode::kNotFound) {
    changed = had;
    e.deleted = true;
    e.failed = true;
    e.fetched = now;
  } else {
    e.failed = true;  // the cached object (if any) stays, and is what readers get
  }
  if (changed) {
    const auto& [kind, ns, name] = key;
    pending_.push_back({kind_info(kind).kind, ns, name});
  }
  return changed;
}

template <typename T>
Result<T> ApiObjectSource::get(Kind kind, const std::string& ns, const std::string& name) const {
  if (options_.change_detection == ChangeDetection::kWatch && (kind == Kind::kConfigMap || kind == Kind::kSecret)) {
    auto watched = watches_.get(kind, ns, name);
    if (!watched.ok()) return watched.error();
    return std::get<T>(std::move(watched).value());
  }
  const Key key{kind, kind == Kind::kPersistentVolume ? "" : ns, name};
  const auto now = clock_.now();
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      it->second.last_read = now;
      if (fresh(it->second, now)) return std::get<T>(*it->second.object);
    }
  }
  auto answer = fetch(key);  // no lock: pod workers read other objects meanwhile
  std::lock_guard lock(mu_);
  store(key, answer, now);
  if (answer.ok()) return std::get<T>(std::move(answer).value());
  const Entry& e = entries_.at(key);
  if (answer.error().code != ErrorCode::kNotFound && e.object && !e.deleted) {
    log::get("cluster")->warn("{} {}{}{}: using the cached copy: {}", kind_info(kind).singular, ns, ns.empty() ? "" : "/", name,
                              answer.error().message);
    return std::get<T>(*e.object);
  }
  return answer.error();
}

Result<kube::ConfigMap> ApiObjectSource::get_config_map(const std::string& ns, const std::string& name) const {
  return get<kube::ConfigMap>(Kind::kConfigMap, ns, name);
}

Result<kube::Secret> ApiObjectSource::get_secret(const std::string& ns, const std::string& name) const {
  return get<kube::Secret>(Kind::kSecret, ns, name);
}

Result<kube::PersistentVolume> ApiObjectSource::get_persistent_volume(const std::string& name) const {
  return get<kube::PersistentVolume>(Kind::kPersistentVolume, "", name);
}

Result<kube::PersistentVolumeClaim> ApiObjectSource::get_persistent_volume_claim(const std::string& ns,
                                                                                const std::string& name) const {
  return get<kube::PersistentVolumeClaim>(Kind::kPersistentVolumeClaim, ns, name);
}

Result<std::vector<kube::PersistentVolume>> ApiObjectSource::list_persistent_volumes() const {
  return failed_precondition(
      "a node may not list PersistentVolumes: joined to a control plane, the control plane binds claims "
      "(bind_claims=false) and the node fetches each claim's spec.volumeName by name");
}

Result<std::vector<kube::PersistentVolumeClaim>> ApiObjectSource::list_persistent_volume_claims() const {
  return failed_precondition(
      "a node may not list PersistentVolumeClaims: joined to a control plane, the control plane binds claims "
      "(bind_claims=false) and the node reads each pod's claims by name");
}

std::vector<kube::ObjectChange> ApiObjectSource::refresh() {
  watches_.maintain();
  const auto now = clock_.now();
  std::vector<Key> due;
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      const Entry& e = it->second;
      if (now - e.last_read >= options_.forget_after) {
        it = entries_.erase(it);
        continue;
      }
      if (!(e.object && !e.deleted && !e.failed && immutable_object(*e.object)) && now - e.fetched >= options_.ttl)
        due.push_back(it->first);
      ++it;
    }
  }
  for (const auto& key : due) {
    auto answer = fetch(key);
    std::lock_guard lock(mu_);
    if (!answer.ok() && answer.error().code == ErrorCode::kPermissionDenied) {
      // No pod of this node references it any more (the Node authorizer's graph says so).
      entries_.erase(key);
      continue;
    }
    if (!answer.ok() && answer.error().code != ErrorCode::kNotFound)
      log::get("cluster")->debug("refresh: {}", answer.error().message);
    if (entries_.count(key)) store(key, answer, now);
  }
  std::lock_guard lock(mu_);
  std::vector<kube::ObjectChange> out;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (auto& c : pending_)
    if (seen.insert({c.kind, c.namespace_, c.name}).second) out.push_back(std::move(c));
  pending_.clear();
  return out;
}

void ApiObjectSource::start(std::function<void(std::vector<kube::ObjectChange>)> on_changes) {
  if (thread_.joinable()) return;
  stopping_ = false;
  watches_.set_on_changes(on_changes);
  thread_ = std::thread([this, on_changes = std::move(on_changes)] {
    std::unique_lock lock(loop_mu_);
    while (!loop_cv_.wait_for(lock, options_.refresh_period, [this] { return stopping_; })) {
      lock.unlock();
      auto changes = refresh();
      if (!changes.empty() && on_changes) on_changes(std::move(changes));
      lock.lock();
    }
  });
}

void ApiObjectSource::stop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  watches_.stop_all();
}

size_t ApiObjectSource::cached() const {
  std::lock_guard lock(mu_);
  return entries_.size() + watches_.size();
}

}  // namespace nodeagent::cluster
