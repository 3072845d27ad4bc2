// The standalone binder's table on disk (<root>/pv-binder/bindings.json, PodStateDir), so that
// bindings outlive agent restarts: the control plane keeps them in the PV's claimRef and the
// claim's volumeName; a node with no API server keeps them here. Written atomically.
//   {"bindings": [{"volume": "pv1", "namespace": "default", "name": "data", "uid": ""}]}
#pragma once

#include <string>

#include "util/result.h"
#include "volumes/binding/claim_binder.h"

namespace nodeagent::volumes::binding {

// A missing file is an empty table; an unreadable or corrupt one is an error (never read as
// empty, which would hand bound PVs to other claims).
Result<BindingTable> load_bindings(const std::string& path);
Status save_bindings(const std::string& path, const BindingTable& table);

}  // namespace nodeagent::volumes::binding
