// Removing a directory tree of the agent's own state (a pod's directory, its volumes) without
// ever deleting through a mount point: a volume, a PV bind mount or a namespace file still
// mounted under the tree would otherwise lose the data behind it (a hostPath PV is the node's
// own files). The tree is refused whole while anything under it is mounted; the caller unmounts
// first and retries.
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent {

// Removes `path` and everything under it. FailedPrecondition naming the first mount point
// found at or under `path` (from /proc/self/mountinfo), with nothing removed. No error when
// `path` does not exist.
[[nodiscard]] Status remove_tree_unless_mounted(const std::string& path,
                                                const std::string& mountinfo_path = "/proc/self/mountinfo");

}  // namespace nodeagent
