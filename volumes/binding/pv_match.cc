// The PV controller's matching rules (see pv_match.h).
#include "volumes/binding/pv_match.h"

#include <algorithm>
#include <map>
#include <set>

#include "kube/selector.h"

namespace nodeagent::volumes::binding {

namespace {

constexpr const char* kBetaClassAnnotation = "volume.beta.kubernetes.io/storage-class";

kube::Quantity storage(const kube::ResourceList& list) {
  auto it = list.find("storage");
  return it == list.end() ? kube::Quantity{} : it->second;
}

std::string volume_mode_or_default(const std::string& mode) { return mode.empty() ? "Filesystem" : mode; }

// metav1.LabelSelectorAsSelector; nullopt for an operator it does not know.
std::optional<kube::LabelSelector> to_selector(const kube::ObjectLabelSelector& s) {
  kube::LabelSelector out;
  for (const auto& [k, v] : s.match_labels) out.requirements.push_back({k, kube::LabelRequirement::Op::kEquals, {v}});
  for (const auto& e : s.match_expressions) {
    kube::LabelRequirement r{e.key, kube::LabelRequirement::Op::kIn, e.values};
    if (e.op == "In") r.op = kube::LabelRequirement::Op::kIn;
    else if (e.op == "NotIn") r.op = kube::LabelRequirement::Op::kNotIn;
    else if (e.op == "Exists") r.op = kube::LabelRequirement::Op::kExists;
    else if (e.op == "DoesNotExist") r.op = kube::LabelRequirement::Op::kDoesNotExist;
    else return std::nullopt;
    out.requirements.push_back(std::move(r));
  }
  return out;
}

// GetAccessModesAsString's key: the set of modes, in upstream's fixed order.
std::string modes_key(const std::set<std::string>& modes) {
  std::string key;
  for (const char* m : {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}) {
    if (!modes.count(m)) continue;
    if (!key.empty()) key += ",";
    key += m;
  }
  for (const auto& m : modes)  // modes upstream does not know still make a distinct set
    if (m != "ReadWriteOnce" && m != "ReadOnlyMany" && m != "ReadWriteMany" && m != "ReadWriteOncePod")
      key += "," + m;
  return key;
}

}  // namespace

ClaimKey claim_key(const kube::PersistentVolumeClaim& claim) {
  return {claim.metadata.namespace_, claim.metadata.name, claim.metadata.uid};
}

bool is_bound_to(const ClaimKey& bound, const kube::PersistentVolumeClaim& claim) {
  if (bound.ns != claim.metadata.namespace_ || bound.name != claim.metadata.name) return false;
  return bound.uid.empty() || claim.metadata.uid.empty() || bound.uid == claim.metadata.uid;
}

std::string claim_class(const kube::PersistentVolumeClaim& claim) {
  auto it = claim.metadata.annotations.find(kBetaClassAnnotation);
  if (it != claim.metadata.annotations.end()) return it->second;
  return claim.spec.storage_class_name.value_or("");
}

std::string volume_class(const kube::PersistentVolume& volume) {
  auto it = volume.metadata.annotations.find(kBetaClassAnnotation);
  if (it != volume.metadata.annotations.end()) return it->second;
  return volume.spec.storage_class_name;
}

bool access_modes_cover(const std::vector<std::string>& volume_modes, const std::vector<std::string>& claim_modes) {
  return std::all_of(claim_modes.begin(), claim_modes.end(), [&](const std::string& m) {
    return std::find(volume_modes.begin(), volume_modes.end(), m) != volume_modes.end();
  });
}

Status check_volume_satisfies_claim(const kube::PersistentVolume& volume, const kube::PersistentVolumeClaim& claim) {
  if (volume.metadata.deletion_timestamp)
    return invalid("the volume is marked for deletion \"" + volume.metadata.name + "\"");
  if (storage(volume.spec.capacity).value() < storage(claim.spec.resources.requests).value())
    return invalid("requested PV is too small");
  if (volume_class(volume) != claim_class(claim)) return invalid("storageClassName does not match");
  if (volume_mode_or_default(volume.spec.volume_mode) != volume_mode_or_default(claim.spec.volume_mode))
    return invalid("incompatible volumeMode");
  if (!access_modes_cover(volume.spec.access_modes, claim.spec.access_modes)) return invalid("incompatible accessMode");
  return ok_status();
}

const kube::PersistentVolume* find_matching_volume(const kube::PersistentVolumeClaim& claim,
                                                   const std::vector<kube::PersistentVolume>& volumes,
                                                   const BoundLookup& bound_to) {
  std::optional<kube::LabelSelector> selector;
  if (claim.spec.selector) {
    selector = to_selector(*claim.spec.selector);
    if (!selector) return nullptr;
  }
  const auto requested = storage(claim.spec.resources.requests).value();
  const auto wanted_class = claim_class(claim);
  const auto wanted_mode = volume_mode_or_default(claim.spec.volume_mode);

  // The index: PVs by their access-mode set, the sets that cover the claim, fewest modes first.
  std::map<std::string, std::pair<size_t, std::vector<const kube::PersistentVolume*>>> by_modes;
  for (const auto& v : volumes) {
    std::set<std::string> modes(v.spec.access_modes.begin(), v.spec.access_modes.end());
    auto& entry = by_modes[modes_key(modes)];
    entry.first = modes.size();
    entry.second.push_back(&v);
  }
  std::vector<std::pair<std::string, const std::pair<size_t, std::vector<const kube::PersistentVolume*>>*>> sets;
  for (const auto& [key, entry] : by_modes) {
    if (entry.second.empty() || !access_modes_cover(entry.second.front()->spec.access_modes, claim.spec.access_modes))
      continue;
    sets.emplace_back(key, &entry);
  }
  std::stable_sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) { return a.second->first < b.second->first; });

  for (const auto& [key, entry] : sets) {
    auto candidates = entry->second;
    std::sort(candidates.begin(), candidates.end(),
              [](const auto* a, const auto* b) { return a->metadata.name < b->metadata.name; });
    const kube::PersistentVolume* smallest = nullptr;
    int64_t smallest_size = 0;
    for (const auto* v : candidates) {
      const auto size = storage(v->spec.capacity).value();
      if (size < requested) continue;
      if (volume_mode_or_default(v->spec.volume_mode) != wanted_mode) continue;
      auto bound = bound_to(*v);
      if (bound && is_bound_to(*bound, claim)) return v;  // pre-bound to this claim
      if (bound) continue;
      if (v->metadata.deletion_timestamp) continue;
      if (selector && !selector->matches(v->metadata.labels)) continue;
      if (volume_class(*v) != wanted_class) continue;
      if (!smallest || size < smallest_size) {
        smallest = v;
        smallest_size = size;
      }
    }
    if (smallest) return smallest;
  }
  return nullptr;
}

}  // namespace nodeagent::volumes::binding
