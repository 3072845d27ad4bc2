// Linux capability sets for the OCI spec: Docker's/containerd's default set, the full set
// runc 1.1 knows, and the Kubernetes add/drop rules (the order CRI applies them in).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"
#include "runtime/types.h"

namespace nodeagent::runtime::oci {

// The 14 capabilities a non-privileged container gets by default (containerd defaultUnixCaps).
const std::vector<std::string>& default_capabilities();
// Every capability runc knows, CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40), in kernel order.
const std::vector<std::string>& all_capabilities();

// "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; "all" -> "ALL".
// kInvalid for a name that is not a known capability.
Result<std::string> normalize_capability(const std::string& name);

// The capabilities whose bits are set in `mask` (e.g. CapBnd of /proc/self/status), kernel order.
std::vector<std::string> capabilities_from_mask(uint64_t mask);

// The effective = permitted = bounding set for `security`:
//   privileged → all; else start from the defaults, then (like the CRI plugin)
//   add "ALL" → all, drop "ALL" → none, then the individual adds, then the individual drops.
// "All" means `available` (what the agent itself holds, like containerd's
// WithAllCurrentCapabilities: runc cannot grant more), or all_capabilities() when empty.
// The result is in kernel order. Errors name the offending field, e.g.
// "securityContext.capabilities.add[1]: unknown capability \"FOO\"".
Result<std::vector<std::string>> compute_capabilities(const SecurityConfig& security,
                                                      const std::vector<std::string>& available = {});

}  // namespace nodeagent::runtime::oci
