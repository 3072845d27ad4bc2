// Claim -> PV for a pod's volume (see claim_resolver.h).
#include "volumes/binding/claim_resolver.h"

#include <fmt/format.h>

#include "volumes/binding/binding_file.h"

namespace nodeagent::volumes::binding {

ClaimResolver::ClaimResolver(const kube::ObjectSource* objects, std::string bindings_file, BindingMode mode)
    : objects_(objects), bindings_file_(std::move(bindings_file)), mode_(mode) {}

Result<std::string> ClaimResolver::bind_standalone(const kube::PersistentVolumeClaim& claim) {
  std::lock_guard lock(mu_);
  if (!table_) {
    NA_ASSIGN_OR_RETURN(auto loaded, load_bindings(bindings_file_));
    table_ = std::move(loaded);
  }
  NA_ASSIGN_OR_RETURN(auto claims, objects_->list_persistent_volume_claims());
  NA_ASSIGN_OR_RETURN(auto volumes, objects_->list_persistent_volumes());
  auto result = bind_claims(claims, volumes, *table_);
  if (result.table != *table_) {
    // Persist before anyone mounts by the new binding: a restart must find the same answer.
    NA_RETURN_IF_ERROR(save_bindings(bindings_file_, result.table));
    table_ = result.table;
  }
  const auto& outcome = result.claims[claim.metadata.namespace_ + "/" + claim.metadata.name];
  if (outcome.volume.empty()) {
    return invalid(fmt::format("PVC {}/{} has non-bound phase (\"Pending\") or empty pvc.Spec.VolumeName (\"{}\"): {}",
                               claim.metadata.namespace_, claim.metadata.name, claim.spec.volume_name, outcome.reason));
  }
  return outcome.volume;
}

Result<BoundClaim> ClaimResolver::resolve(const std::string& ns, const std::string& claim_name) {
  auto fail = [&](const Error& e) { return e.wrap(fmt::format("error processing PVC {}/{}", ns, claim_name)); };
  if (!objects_) return fail(internal("this node has no source of PersistentVolumeClaims"));
  auto claim = objects_->get_persistent_volume_claim(ns, claim_name);
  if (!claim.ok()) return fail(claim.error());
  if (claim->metadata.deletion_timestamp)
    return fail(invalid(fmt::format("can't start pod because PVC {}/{} is being deleted", ns, claim_name)));

  std::string volume_name;
  if (mode_ == BindingMode::kStandalone) {
    auto bound = bind_standalone(*claim);
    if (!bound.ok()) return fail(bound.error());
    volume_name = *bound;
  } else {
    if (claim->status.phase != "Bound" || claim->spec.volume_name.empty())
      return fail(invalid(fmt::format("PVC {}/{} has non-bound phase (\"{}\") or empty pvc.Spec.VolumeName (\"{}\")", ns,
                                      claim_name, claim->status.phase, claim->spec.volume_name)));
    volume_name = claim->spec.volume_name;
  }

  auto volume = objects_->get_persistent_volume(volume_name);
  if (!volume.ok())
    return fail(volume.error().wrap(fmt::format("failed to fetch PV {}", volume_name)));
  if (mode_ == BindingMode::kControlPlane) {
    const auto& ref = volume->spec.claim_ref;
    if (!ref)
      return fail(invalid(fmt::format(
          "found PV object \"{}\" but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim",
          volume_name)));
    if (ref->uid != claim->metadata.uid)
      return fail(invalid(fmt::format("found PV object \"{}\" but its pv.Spec.ClaimRef.UID (\"{}\") does not point to claim.UID (\"{}\")",
                                      volume_name, ref->uid, claim->metadata.uid)));
  }
  return BoundClaim{std::move(claim).value(), std::move(volume).value()};
}

}  // namespace nodeagent::volumes::binding
