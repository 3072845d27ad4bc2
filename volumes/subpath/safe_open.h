// kubelet's SafeMakeDir + doSafeOpen for a subPath: the final component of `sub_path` inside
// `volume_path`, opened without leaving the volume (open_beneath.h), with the missing
// directories created on the way, each relative to its parent's fd (mkdirat, then re-opened
// with O_NOFOLLOW and checked to be a directory), so that nothing a container does between two
// steps can make the agent create or open anything outside the volume.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/result.h"
#include "volumes/subpath/open_beneath.h"

namespace nodeagent::volumes::subpath {

struct SafeOpenError {
  int error = 0;       // errno: EXDEV when the path leads out of the volume
  std::string detail;  // which step failed, for the agent's log (paths of the node)
};

struct SafeOpened {
  UniqueFd fd;  // valid on success
  SafeOpenError failure;
  bool ok() const { return fd.valid(); }
};

// `sub_path` is relative without `..` components (the caller validated it). Directories
// created here get mode `perm` (kubelet: the volume directory's mode), umask notwithstanding.
SafeOpened safe_open_sub_path(const std::string& volume_path, const std::string& sub_path, mode_t perm,
                              Resolver how = Resolver::kAuto);

}  // namespace nodeagent::volumes::subpath
