// From a pod's persistentVolumeClaim volume to its claim and PV (kubelet's
// desired_state_of_world_populator getPVCExtractPV + getPVSpec), with the binder in front of
// it on a standalone node:
//   - BindingMode::kStandalone: no control plane binds claims, so this node does: each resolve
//     runs bind_claims over every claim and PV (claim_binder.h) and persists the table;
//   - BindingMode::kControlPlane: binding is the control plane's job; the node only follows the
//     claim's spec.volumeName and checks the PV's claimRef, as kubelet does.
// Errors are kubelet's, with the binder's reason after them:
//   error processing PVC default/data: PVC default/data has non-bound phase ("Pending") or empty
//   pvc.Spec.VolumeName (""): no persistent volumes available for this claim and no storage class is set
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "kube/object_source.h"
#include "kube/types.h"
#include "util/result.h"
#include "volumes/binding/claim_binder.h"

namespace nodeagent::volumes::binding {

enum class BindingMode { kStandalone, kControlPlane };

struct BoundClaim {
  kube::PersistentVolumeClaim claim;
  kube::PersistentVolume volume;
};

class ClaimResolver {
 public:
  // `bindings_file`: PodStateDir::pv_bindings_file(); unused in kControlPlane mode.
  ClaimResolver(const kube::ObjectSource* objects, std::string bindings_file, BindingMode mode);

  [[nodiscard]] Result<BoundClaim> resolve(const std::string& ns, const std::string& claim_name);

 private:
  [[nodiscard]] Result<std::string> bind_standalone(const kube::PersistentVolumeClaim& claim);

  const kube::ObjectSource* objects_;
  std::string bindings_file_;
  BindingMode mode_;
  std::mutex mu_;  // one binder pass at a time: two pods must never both get one PV
  std::optional<BindingTable> table_;  // loaded on first use
};

}  // namespace nodeagent::volumes::binding
