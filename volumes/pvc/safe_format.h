// mount-utils' SafeFormatAndMount for a block device: format only a device on which blkid finds
// nothing (no filesystem, no partition table), never reformat; then mount it.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"
#include "volumes/mount/mounter.h"

namespace nodeagent::volumes {

[[nodiscard]] Status format_and_mount(Mounter& mounter, const std::string& device, const std::string& target,
                                      const std::string& fstype, const std::vector<std::string>& options);

}  // namespace nodeagent::volumes
