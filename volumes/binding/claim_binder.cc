// The standalone PV binder's decision (see claim_binder.h).
#include "volumes/binding/claim_binder.h"

#include <algorithm>

#include <fmt/format.h>

namespace nodeagent::volumes::binding {

namespace {

ClaimKey from_ref(const kube::ObjectReference& ref) { return {ref.namespace_, ref.name, ref.uid}; }

bool same_claim(const ClaimKey& a, const ClaimKey& b) {
  return a.ns == b.ns && a.name == b.name && (a.uid.empty() || b.uid.empty() || a.uid == b.uid);
}

class Binder {
 public:
  Binder(const std::vector<kube::PersistentVolume>& volumes, const BindingTable& previous) : volumes_(volumes) {
    for (const auto& v : volumes_) by_name_[v.metadata.name] = &v;
    // The operator's claimRef wins over what the table says.
    for (const auto& [pv, claim] : previous) {
      auto it = by_name_.find(pv);
      if (it != by_name_.end() && it->second->spec.claim_ref && !same_claim(from_ref(*it->second->spec.claim_ref), claim))
        continue;
      table_[pv] = claim;
    }
  }

  ClaimOutcome bind(const kube::PersistentVolumeClaim& claim) {
    // 1. Already bound by the table.
    for (const auto& [pv, bound] : table_) {
      if (!is_bound_to(bound, claim)) continue;
      if (!by_name_.count(pv))
        return {"", fmt::format("Bound claim has lost its PersistentVolume \"{}\". Data on the volume is lost!", pv)};
      return {pv, ""};
    }
    // 2. The claim names its PV.
    if (!claim.spec.volume_name.empty()) {
      const auto& name = claim.spec.volume_name;
      auto it = by_name_.find(name);
      if (it == by_name_.end()) return {"", fmt::format("persistentvolume \"{}\" not found", name)};
      auto bound = bound_to(*it->second);
      if (!bound) {
        if (auto st = check_volume_satisfies_claim(*it->second, claim); !st.ok())
          return {"", fmt::format("Cannot bind to requested volume \"{}\": {}", name, st.error().message)};
        return record(name, claim);
      }
      if (is_bound_to(*bound, claim)) return record(name, claim);
      return {"", fmt::format("volume \"{}\" already bound to a different claim.", name)};
    }
    // 3. The best match.
    const auto* v = find_matching_volume(claim, volumes_, [this](const kube::PersistentVolume& pv) { return bound_to(pv); });
    if (v) return record(v->metadata.name, claim);
    auto cls = claim_class(claim);
    if (cls.empty()) return {"", "no persistent volumes available for this claim and no storage class is set"};
    // A claim with a class would be provisioned; a standalone node has no StorageClass objects.
    return {"", fmt::format("storageclass.storage.k8s.io \"{}\" not found", cls)};
  }

  BindingTable table() const { return table_; }

 private:
  std::optional<ClaimKey> bound_to(const kube::PersistentVolume& pv) const {
    auto it = table_.find(pv.metadata.name);
    if (it != table_.end()) return it->second;
    if (pv.spec.claim_ref && !pv.spec.claim_ref->name.empty()) return from_ref(*pv.spec.claim_ref);
    return std::nullopt;
  }

  ClaimOutcome record(const std::string& pv, const kube::PersistentVolumeClaim& claim) {
    table_[pv] = claim_key(claim);
    return {pv, ""};
  }

  const std::vector<kube::PersistentVolume>& volumes_;
  std::map<std::string, const kube::PersistentVolume*> by_name_;
  BindingTable table_;
};

}  // namespace

BindResult bind_claims(const std::vector<kube::PersistentVolumeClaim>& claims,
                       const std::vector<kube::PersistentVolume>& volumes, const BindingTable& previous) {
  std::vector<const kube::PersistentVolumeClaim*> order;
  for (const auto& c : claims) order.push_back(&c);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->metadata.namespace_, a->metadata.name) < std::tie(b->metadata.namespace_, b->metadata.name);
  });
  Binder binder(volumes, previous);
  BindResult result;
  for (const auto* c : order) result.claims[c->metadata.namespace_ + "/" + c->metadata.name] = binder.bind(*c);
  result.table = binder.table();
  return result;
}

}  // namespace nodeagent::volumes::binding
