// Snapshot diff -> upserts/deletes (see manifest_adapter.h).
#include "agent/services/manifest_adapter.h"

namespace nodeagent::services {
namespace {

std::pair<std::string, std::string> key_of(const kube::ObjectMeta& m) {
  return {m.namespace_.empty() ? "default" : m.namespace_, m.name};
}

// `known` becomes `objects`; returns the keys that went away and the objects that are new or changed.
template <typename Object>
std::pair<std::vector<std::pair<std::string, std::string>>, std::vector<const Object*>> diff(
    std::map<std::pair<std::string, std::string>, Object>& known, const std::vector<Object>& objects) {
  std::map<std::pair<std::string, std::string>, Object> next;
  std::vector<const Object*> changed;
  for (const auto& object : objects) {
    auto key = key_of(object.metadata);
    auto it = known.find(key);
    if (it == known.end() || !(it->second == object)) changed.push_back(&object);
    next.insert_or_assign(key, object);  // a name twice in the directory: the last one wins
  }
  std::vector<std::pair<std::string, std::string>> gone;
  for (const auto& [key, object] : known)
    if (!next.count(key)) gone.push_back(key);
  known = std::move(next);
  return {std::move(gone), std::move(changed)};
}

}  // namespace

void ManifestAdapter::apply(const std::vector<kube::Service>& services, const std::vector<kube::EndpointSlice>& slices) {
  auto [gone_services, changed_services] = diff(services_, services);
  auto [gone_slices, changed_slices] = diff(slices_, slices);
  for (const auto& [ns, name] : gone_services) input_.delete_service(ns, name);
  for (const auto& [ns, name] : gone_slices) input_.delete_endpoint_slice(ns, name);
  for (const auto* svc : changed_services) input_.upsert_service(*svc);
  for (const auto* slice : changed_slices) input_.upsert_endpoint_slice(*slice);
}

}  // namespace nodeagent::services
