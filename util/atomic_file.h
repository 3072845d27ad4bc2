// The one atomic file writer: readers see the old content or the new, never a torn file, and
// the new content survives a machine crash once the call returns. Writes <path>.tmp, fsyncs it,
// renames it over <path> and fsyncs the directory (the rename itself is not durable without).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent {

struct AtomicWriteOptions {
  // Set with fchmod after creating, so the umask cannot narrow it.
  mode_t mode = 0600;
  // Leave the file alone when it already holds exactly `content` (a rename over an existing file
  // forces a data flush on ext4; callers that rewrite on every sync want to skip it).
  bool skip_if_unchanged = false;
};

// On failure the temp file is removed and <path> is untouched.
[[nodiscard]] Status write_file_atomically(const std::string& path, std::string_view content,
                                           const AtomicWriteOptions& options = {});

}  // namespace nodeagent
