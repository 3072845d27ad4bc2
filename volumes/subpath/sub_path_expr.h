// The subPath a volumeMount asks for: subPath as written, or subPathExpr expanded with the
// container's environment ($(VAR), kube/expand.h), checked again after expansion as kubelet's
// makeMounts does (not absolute, no `..`): validation saw only the unexpanded expression.
#pragma once

#include <map>
#include <string>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::volumes::subpath {

// "" when the mount has neither. A variable that is unset or empty is an error, as in kubelet's
// ExpandContainerVolumeMounts.
Result<std::string> resolve_sub_path(const kube::VolumeMount& mount, const std::string& container_name,
                                     const std::map<std::string, std::string>& env);

}  // namespace nodeagent::volumes::subpath
