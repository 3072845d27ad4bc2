// Services and EndpointSlices from the API server into the service proxy (see api_services.h).
#include "agent/cluster/api_services.h"

#include <optional>
#include <utility>

#include "kube/decode.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

using nlohmann::json;
using kube::client::ObjectMap;

constexpr const char* kServiceProxyNameLabel = "service.kubernetes.io/service-proxy-name";
constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

std::string resource_version_of(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : "";
}

// List items come without apiVersion and kind (the list carries them); the decoder wants them.
json with_kind(const json& object, const char* api_version, const char* kind) {
  json doc = object;
  if (doc.is_object()) {
    if (!doc.contains("apiVersion")) doc["apiVersion"] = api_version;
    if (!doc.contains("kind")) doc["kind"] = kind;
  }
  return doc;
}

// kube-proxy leaves these to another proxy (service-proxy-name) or has nothing to do (headless).
bool for_this_proxy(const kube::ObjectMeta& m) {
  return !m.labels.count(kServiceProxyNameLabel) && !m.labels.count(kHeadlessLabel);
}

// The keys that went away and the objects that are new or have another resourceVersion, in one
// walk over both sorted maps; `seen` keeps its entries (the caller updates them).
struct Diff {
  std::vector<std::string> gone;
  std::vector<std::pair<const std::string*, const json*>> changed;
};

template <typename Seen>
Diff diff(const std::map<std::string, Seen>& seen, const ObjectMap& objects) {
  Diff d;
  auto s = seen.begin();
  auto o = objects.begin();
  while (s != seen.end() || o != objects.end()) {
    if (o == objects.end() || (s != seen.end() && s->first < o->first)) {
      d.gone.push_back(s->first);
      ++s;
    } else if (s == seen.end() || o->first < s->first) {
      d.changed.emplace_back(&o->first, &o->second);
      ++o;
    } else {
      if (s->second.resource_version != resource_version_of(o->second) || s->second.resource_version.empty())
        d.changed.emplace_back(&o->first, &o->second);
      ++s;
      ++o;
    }
  }
  return d;
}

// Decodes one object; a failure is logged and reported, and leaves nullopt.
template <typename T, typename DecodeFn>
std::optional<T> decode_one(const std::string& kind, const std::string& key, const json& object, DecodeFn decode,
                            const ObjectProblemFn& on_problem) {
  auto decoded = decode(object);
  if (!decoded.ok()) {
    auto what = kind + " " + key;
    log::get("cluster")->warn("{}: skipped: {}", what, decoded.error().message);
    if (on_problem) on_problem(what, decoded.error().message);
    return std::nullopt;
  }
  for (const auto& w : decoded->warnings) log::get("cluster")->debug("{} {}: {}", kind, key, w);
  return std::move(decoded->object);
}

}  // namespace

ApiServiceSource::ApiServiceSource(const ClusterContext& ctx, services::ServiceInput* input,
                                   ApiServicesCallbacks callbacks, ApiServicesOptions options)
    : input_(input), callbacks_(std::move(callbacks)) {
  auto* proxy_client = options.proxy_client ? options.proxy_client : ctx.client;
  identity_ = proxy_client->config().user_name;
  kube::client::ReflectorOptions so;
  so.what = "services";
  so.path = "/api/v1/services";
  so.min_watch_timeout = options.min_watch_timeout;
  so.initial_backoff = options.initial_backoff;
  services_reflector_ = std::make_unique<kube::client::Reflector>(
      *proxy_client, so, [this](const ObjectMap& objects, bool) { apply_services(objects); },
      [this](const Error& e) { reflector_error("services", e); });
  if (input_) {
    kube::client::ReflectorOptions eo = so;
    eo.what = "endpointslices";
    eo.path = "/apis/discovery.k8s.io/v1/endpointslices";
    eo.label_selector = std::string("!") + kServiceProxyNameLabel + ",!" + kHeadlessLabel;
    slices_reflector_ = std::make_unique<kube::client::Reflector>(
        *proxy_client, eo, [this](const ObjectMap& objects, bool) { apply_slices(objects); },
        [this](const Error& e) { reflector_error("endpointslices", e); });
  }
}

ApiServiceSource::~ApiServiceSource() { stop(); }

void ApiServiceSource::start() {
  services_reflector_->start();
  if (slices_reflector_) slices_reflector_->start();
}

void ApiServiceSource::stop() {
  services_reflector_->stop();
  if (slices_reflector_) slices_reflector_->stop();
}

bool ApiServiceSource::synced() const {
  std::lock_guard lock(sync_mu_);
  return announced_;
}

// A refusal is said once, in words that say what to do; the reflector logs every retry itself.
void ApiServiceSource::reflector_error(const char* what, const Error& error) {
  if (error.code != ErrorCode::kPermissionDenied && error.code != ErrorCode::kUnauthenticated) return;
  {
    std::lock_guard lock(sync_mu_);
    auto& last = reported_errors_[what];
    if (last == error.message) return;
    last = error.message;
  }
  std::string hint = std::string(what) == "endpointslices"
                         ? " (a node's identity may not list EndpointSlices: give the proxy kube-proxy's credentials, "
                           "ClusterRole system:node-proxier)"
                         : "";
  log::get("cluster")->error("{} as {}: {}{}", what, identity_.empty() ? "this client" : identity_, error.message, hint);
  if (callbacks_.on_problem) callbacks_.on_problem(what, error.message + hint);
}

void ApiServiceSource::mark_synced(bool services) {
  bool announce = false;
  {
    std::lock_guard lock(sync_mu_);
    (services ? services_synced_ : slices_synced_) = true;
    if (!announced_ && services_synced_ && (slices_synced_ || !input_)) announce = announced_ = true;
  }
  if (announce && callbacks_.on_synced) callbacks_.on_synced();
}

void ApiServiceSource::apply_services(const ObjectMap& objects) {
  std::vector<kube::Service> all;
  bool list_changed = false;
  {
    std::lock_guard lock(services_mu_);
    auto d = diff(seen_services_, objects);
    std::vector<const kube::Service*> upserts;
    for (const auto& key : d.gone) {
      if (seen_services_[key].in_input && input_) {
        auto [ns, name] = split_key(key);
        input_->delete_service(ns, name);
      }
      seen_services_.erase(key);
      list_changed |= services_.erase(key) > 0;
    }
    for (const auto& [key, object] : d.changed) {
      auto& seen = seen_services_[*key];
      seen.resource_version = resource_version_of(*object);
      auto svc = decode_one<kube::Service>(
          "service", *key, with_kind(*object, "v1", "Service"),
          [](const json& doc) { return kube::decode_service(doc); }, callbacks_.on_problem);
      const bool proxied = svc && for_this_proxy(svc->metadata);
      if (seen.in_input && !proxied && input_) {
        auto [ns, name] = split_key(*key);
        input_->delete_service(ns, name);  // before the upserts: a freed nodePort is reusable
      }
      seen.in_input = proxied && input_;
      if (svc) {
        services_.insert_or_assign(*key, std::move(*svc));
        if (proxied) upserts.push_back(&services_.at(*key));
      } else {
        services_.erase(*key);
      }
      list_changed = true;
    }
    if (input_)
      for (const auto* svc : upserts) input_->upsert_service(*svc);
    if (list_changed && callbacks_.on_services) {
      all.reserve(services_.size());
      for (const auto& [key, svc] : services_) all.push_back(svc);
    }
  }
  if (list_changed && callbacks_.on_services) callbacks_.on_services(std::move(all));
  mark_synced(true);
}

void ApiServiceSource::apply_slices(const ObjectMap& objects) {
  if (!input_) return;
  {
    std::lock_guard lock(slices_mu_);
    auto d = diff(seen_slices_, objects);
    std::vector<kube::EndpointSlice> upserts;
    for (const auto& key : d.gone) {
      if (seen_slices_[key].in_input) {
        auto [ns, name] = split_key(key);
        input_->delete_endpoint_slice(ns, name);
      }
      seen_slices_.erase(key);
    }
    for (const auto& [key, object] : d.changed) {
      auto& seen = seen_slices_[*key];
      seen.resource_version = resource_version_of(*object);
      auto slice = decode_one<kube::EndpointSlice>(
          "endpointslice", *key, with_kind(*object, "discovery.k8s.io/v1", "EndpointSlice"),
          [](const json& doc) { return kube::decode_endpoint_slice(doc); }, callbacks_.on_problem);
      const bool proxied = slice && for_this_proxy(slice->metadata);
      if (seen.in_input && !proxied) {
        auto [ns, name] = split_key(*key);
        input_->delete_endpoint_slice(ns, name);
      }
      seen.in_input = proxied;
      if (proxied) upserts.push_back(std::move(*slice));
    }
    for (const auto& slice : upserts) input_->upsert_endpoint_slice(slice);
  }
  mark_synced(false);
}

}  // namespace nodeagent::cluster
