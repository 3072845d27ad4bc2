// The mount seam (kubelet's mount-utils Interface): the few mount operations volume plugins
// need, so that plugins are tested against a fake and only linux_mounter.cc calls ::mount.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::volumes {

// The propagation of the mount a path lies on (its mount point and the optional fields of
// /proc/self/mountinfo: "shared:N", "master:N").
struct MountPropagation {
  std::string mount_point;
  bool shared = false;
  bool slave = false;
};

class Mounter {
 public:
  virtual ~Mounter() = default;
  // A tmpfs at `target` (nosuid, nodev) with tmpfs `options` such as "mode=0777,size=1048576".
  [[nodiscard]] virtual Status mount_tmpfs(const std::string& target, const std::string& options) = 0;
  // `source` bind-mounted at `target`, made read-only when asked (a second remount, as mount(8)).
  [[nodiscard]] virtual Status bind_mount(const std::string& source, const std::string& target, bool read_only) = 0;
  // Lazy unmount (MNT_DETACH): a container still holding the mount does not block teardown.
  [[nodiscard]] virtual Status unmount(const std::string& target) = 0;
  // Whether `target` is a mount point (listed in /proc/self/mountinfo).
  [[nodiscard]] virtual Result<bool> is_mounted(const std::string& target) = 0;
  // `source` (a block device) mounted at `target` as `fstype`, with mount(8) options ("ro",
  // "noatime", ... become flags; the rest is the filesystem's data string).
  [[nodiscard]] virtual Status mount(const std::string& source, const std::string& target, const std::string& fstype,
                                     const std::vector<std::string>& options) = 0;
  // The filesystem (or partition table) on a block device as blkid -p reports it ("ext4",
  // "xfs", "gpt"); "" when blkid finds none.
  [[nodiscard]] virtual Result<std::string> probe_filesystem(const std::string& device) = 0;
  // mkfs.<fstype> on the device. Callers format only what probe_filesystem() found empty.
  [[nodiscard]] virtual Status format(const std::string& device, const std::string& fstype) = 0;
  // Makes `path` a shared mount, recursively (kubelet's MakeRShared of its root dir, so that
  // mountPropagation can reach containers): bound onto itself first when it is no mount point.
  // Idempotent; touches nothing above `path`.
  [[nodiscard]] virtual Status make_rshared(const std::string& path) = 0;
  // The propagation of the mount `path` lies on.
  [[nodiscard]] virtual Result<MountPropagation> propagation_of(const std::string& path) = 0;
};

}  // namespace nodeagent::volumes
