// How a volumeMount is mounted into its container, with kubelet's rules (makeMounts,
// translateMountPropagation, resolveRecursiveReadOnly):
//   - mountPropagation None (or unset) → rprivate, HostToContainer → rslave, Bidirectional →
//     rshared, the last for privileged containers only;
//   - recursiveReadOnly Disabled (or unset) → plain read-only; IfPossible → recursively
//     read-only where the kernel and runtime can (runc's "rro", mount_setattr on kernel ≥ 5.12);
//     Enabled → recursively read-only or an error. Both need readOnly and no propagation.
#pragma once

#include <string>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::volumes {

// "" (rprivate), "rslave" or "rshared".
Result<std::string> container_propagation(const kube::VolumeMount& mount, const kube::Container& container);

// Whether to ask the runtime for "rro".
Result<bool> resolve_recursive_read_only(const kube::VolumeMount& mount, bool runtime_supports_rro);

// Whether this kernel has mount_setattr and the runtime (`runc features`) lists "rro"; probed
// once.
bool recursive_read_only_supported();

}  // namespace nodeagent::volumes
