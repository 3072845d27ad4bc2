// The manifest directory's objects first, the API server's second (see composite_object_source.h).
#include "agent/cluster/composite_object_source.h"

#include <algorithm>
#include <set>
#include <utility>

namespace nodeagent::cluster {
namespace {

template <typename T, typename Get>
Result<T> first_then_second(const kube::ObjectSource& first, const kube::ObjectSource& second, Get get) {
  auto found = get(first);
  if (found.ok() || found.error().code != ErrorCode::kNotFound) return found;
  return get(second);
}

// The first's list plus the second's objects it lacks, ordered by namespace, then name.
template <typename T>
Result<std::vector<T>> merged(Result<std::vector<T>> first, Result<std::vector<T>> second) {
  if (!first.ok()) return first;
  if (!second.ok()) return first;  // the API server cannot list: the files' objects are all there is
  auto out = std::move(first).value();
  std::set<std::pair<std::string, std::string>> names;
  for (const auto& o : out) names.insert({o.metadata.namespace_, o.metadata.name});
  for (auto& o : *second)
    if (!names.count({o.metadata.namespace_, o.metadata.name})) out.push_back(std::move(o));
  std::sort(out.begin(), out.end(), [](const T& a, const T& b) {
    return std::tie(a.metadata.namespace_, a.metadata.name) < std::tie(b.metadata.namespace_, b.metadata.name);
  });
  return out;
}

}  // namespace

Result<kube::ConfigMap> CompositeObjectSource::get_config_map(const std::string& ns, const std::string& name) const {
  return first_then_second<kube::ConfigMap>(first_, second_, [&](const auto& s) { return s.get_config_map(ns, name); });
}

Result<kube::Secret> CompositeObjectSource::get_secret(const std::string& ns, const std::string& name) const {
  return first_then_second<kube::Secret>(first_, second_, [&](const auto& s) { return s.get_secret(ns, name); });
}

Result<kube::PersistentVolume> CompositeObjectSource::get_persistent_volume(const std::string& name) const {
  return first_then_second<kube::PersistentVolume>(first_, second_,
                                                   [&](const auto& s) { return s.get_persistent_volume(name); });
}

Result<kube::PersistentVolumeClaim> CompositeObjectSource::get_persistent_volume_claim(const std::string& ns,
                                                                                      const std::string& name) const {
  return first_then_second<kube::PersistentVolumeClaim>(
      first_, second_, [&](const auto& s) { return s.get_persistent_volume_claim(ns, name); });
}

Result<std::vector<kube::PersistentVolume>> CompositeObjectSource::list_persistent_volumes() const {
  return merged(first_.list_persistent_volumes(), second_.list_persistent_volumes());
}

Result<std::vector<kube::PersistentVolumeClaim>> CompositeObjectSource::list_persistent_volume_claims() const {
  return merged(first_.list_persistent_volume_claims(), second_.list_persistent_volume_claims());
}

}  // namespace nodeagent::cluster
