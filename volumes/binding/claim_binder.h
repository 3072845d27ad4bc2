// The standalone PV binder's decision (the control plane's PV controller syncUnboundClaim, for a
// node with no API server): given every claim, every PV and the bindings made so far, which PV
// each claim is bound to, or why it is still Pending. Pure; ClaimResolver persists the table.
//
// Rules, in upstream's order for each claim (claims taken by namespace, then name, so the result
// does not depend on which pod asks first):
//   1. a claim already bound (the table, or a PV's claimRef naming it) keeps its PV; a binding
//      whose PV is gone leaves the claim Lost, never rebound elsewhere;
//   2. a claim with spec.volumeName gets that PV if it is unclaimed and satisfies the claim, or
//      is pre-bound to it by claimRef;
//   3. otherwise find_matching_volume (pv_match.h).
// A PV stays bound when its claim goes away (upstream's Released, reclaim policy Retain): it is
// not given to another claim; a claim of the same namespace and name (and uid, when both have
// one) gets it back. A PV's manifest claimRef is the operator's word and overrides a binding
// the table holds for another claim.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kube/types.h"
#include "volumes/binding/pv_match.h"

namespace nodeagent::volumes::binding {

// PV name -> the claim it is bound to.
using BindingTable = std::map<std::string, ClaimKey>;

struct ClaimOutcome {
  std::string volume;  // the bound PV; "" while Pending
  std::string reason;  // why it is Pending (upstream's event text)
};

struct BindResult {
  BindingTable table;
  std::map<std::string, ClaimOutcome> claims;  // by "namespace/name"
};

BindResult bind_claims(const std::vector<kube::PersistentVolumeClaim>& claims,
                       const std::vector<kube::PersistentVolume>& volumes, const BindingTable& previous);

}  // namespace nodeagent::volumes::binding
