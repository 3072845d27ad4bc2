// Which PersistentVolume fits a PersistentVolumeClaim, after the control plane's PV controller
// (pkg/controller/volume/persistentvolume: index.go findByClaim, util.go FindMatchingVolume and
// checkVolumeSatisfyClaim). Pure functions over the objects and who each PV is bound to.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::volumes::binding {

// The claim a PV is bound to (the PV's claimRef, or the binder's own record).
struct ClaimKey {
  std::string ns;
  std::string name;
  std::string uid;  // "" when unknown (manifest claims usually have none)
  friend bool operator==(const ClaimKey&, const ClaimKey&) = default;
};

ClaimKey claim_key(const kube::PersistentVolumeClaim& claim);

// storagehelpers.IsVolumeBoundToClaim: same namespace and name, and the same uid when both
// sides know one.
bool is_bound_to(const ClaimKey& bound, const kube::PersistentVolumeClaim& claim);

// GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins, then the
// spec field; a nil claim class is "" (a standalone node has no default StorageClass, so nil
// and "" both mean "no class").
std::string claim_class(const kube::PersistentVolumeClaim& claim);
std::string volume_class(const kube::PersistentVolume& volume);

// Every mode of the claim is among the PV's (CheckAccessModes).
bool access_modes_cover(const std::vector<std::string>& volume_modes, const std::vector<std::string>& claim_modes);

// checkVolumeSatisfyClaim, for a claim that names its PV in spec.volumeName; the messages are
// upstream's ("requested PV is too small", "storageClassName does not match",
// "incompatible volumeMode", "incompatible accessMode").
Status check_volume_satisfies_claim(const kube::PersistentVolume& volume, const kube::PersistentVolumeClaim& claim);

// Who a PV is bound to, if anyone (nullopt: available).
using BoundLookup = std::function<std::optional<ClaimKey>(const kube::PersistentVolume&)>;

// findByClaim: PVs grouped by their set of access modes; of the sets that hold all of the
// claim's modes, the smallest set first (ties: the set's name, where upstream's order is the
// informer's); in each set, a PV pre-bound to this claim at once, else the smallest available
// PV with capacity >= the request, the same volumeMode, the claim's class and labels matching
// its selector (ties: the PV's name). nullptr when nothing matches. An invalid selector (an
// unknown operator) matches nothing.
const kube::PersistentVolume* find_matching_volume(const kube::PersistentVolumeClaim& claim,
                                                   const std::vector<kube::PersistentVolume>& volumes,
                                                   const BoundLookup& bound_to);

}  // namespace nodeagent::volumes::binding
