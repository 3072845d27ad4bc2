// The Mounter of the node: mount(2) and umount2(2), mount points read from
// /proc/self/mountinfo, blkid and mkfs.<fstype> run as programs (tool_runner.h).
#pragma once

#include <string>

#include "volumes/mount/mounter.h"

namespace nodeagent::volumes {

class LinuxMounter final : public Mounter {
 public:
  [[nodiscard]] Status mount_tmpfs(const std::string& target, const std::string& options) override;
  [[nodiscard]] Status bind_mount(const std::string& source, const std::string& target, bool read_only) override;
  [[nodiscard]] Status unmount(const std::string& target) override;
  [[nodiscard]] Result<bool> is_mounted(const std::string& target) override;
  [[nodiscard]] Status mount(const std::string& source, const std::string& target, const std::string& fstype,
                             const std::vector<std::string>& options) override;
  [[nodiscard]] Result<std::string> probe_filesystem(const std::string& device) override;
  [[nodiscard]] Status format(const std::string& device, const std::string& fstype) override;
  [[nodiscard]] Status make_rshared(const std::string& path) override;
  [[nodiscard]] Result<MountPropagation> propagation_of(const std::string& path) override;
};

}  // namespace nodeagent::volumes
