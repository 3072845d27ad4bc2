// Safe format-and-mount (see safe_format.h), with mount-utils' messages.
#include "volumes/pvc/safe_format.h"

#include <fmt/format.h>

namespace nodeagent::volumes {

Status format_and_mount(Mounter& mounter, const std::string& device, const std::string& target,
                        const std::string& fstype, const std::vector<std::string>& options) {
  NA_ASSIGN_OR_RETURN(auto existing, mounter.probe_filesystem(device));
  if (existing.empty()) {
    // Nothing on it: a new disk. (A device with a partition table reports PTTYPE and is left alone.)
    if (auto st = mounter.format(device, fstype); !st.ok())
      return internal(fmt::format("format of disk \"{}\" failed: type:(\"{}\") target:(\"{}\"): {}", device, fstype,
                                  target, st.error().message));
  }
  auto mounted = mounter.mount(device, target, fstype, options);
  if (mounted.ok()) return ok_status();
  if (!existing.empty() && existing != fstype)
    return invalid(fmt::format("failed to mount the volume as \"{}\", it already contains {}. Mount error: {}", fstype,
                               existing, mounted.error().message));
  return mounted.error();
}

}  // namespace nodeagent::volumes
