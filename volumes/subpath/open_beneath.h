// Opening a path inside a volume without ever leaving it. A container can plant symlinks in its
// volumes; an agent that follows them while resolving a subPath bind-mounts the host into the
// container (CVE-2017-1002101). Every component is resolved relative to the volume's directory
// fd, so that a symlink (or a rename race) can never lead above it:
//   - symlinks are followed only while they stay beneath the volume: a relative target that
//     stays inside is fine (configMap keys are symlinks into ..data), an absolute target or a
//     `..` above the volume's root is refused with EXDEV, as openat2's RESOLVE_BENEATH does;
//   - magic links (/proc/<pid>/fd/..., /proc/<pid>/root) are refused (ELOOP).
// Where the kernel has openat2 (5.6+) it does the resolution (RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS); elsewhere a component-wise walk with openat(O_PATH | O_NOFOLLOW) does
// the same, keeping its own stack of directory fds for `..` instead of asking the kernel.
#pragma once

#include <string_view>

#include "volumes/subpath/unique_fd.h"

namespace nodeagent::volumes::subpath {

enum class Resolver {
  kAuto,     // openat2 where the kernel has it (checked once at run time), else the walk
  kOpenat2,  // openat2 only (ENOSYS where the kernel lacks it)
  kWalk,     // the component-wise walk only
};

struct Opened {
  UniqueFd fd;    // O_PATH, close-on-exec; valid when error == 0
  int error = 0;  // errno: EXDEV outside the root, ELOOP magic link or too many symlinks, ENOENT, ENOTDIR, ...
};

// Opens `rel` (relative; "" or "." is the root itself) beneath the directory `root_fd`.
Opened open_beneath(int root_fd, std::string_view rel, Resolver how = Resolver::kAuto);

// Whether this kernel has openat2 with RESOLVE_BENEATH (probed once).
bool openat2_available();

}  // namespace nodeagent::volumes::subpath
