// The one /proc/<pid>/mountinfo parser (proc(5)): one entry per line, with the path fields
// unescaped (the kernel writes space, tab, newline and backslash as \040, \011, \012, \134).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace nodeagent {

struct MountInfo {
  int mount_id = 0;
  int parent_id = 0;
  std::string major_minor;    // "8:1"
  std::string root;           // unescaped
  std::string mount_point;    // unescaped
  std::string mount_options;  // "rw,relatime"
  std::vector<std::string> optional_fields;  // "shared:1", "master:2", ...
  std::string fs_type;        // "ext4", "cgroup", ...
  std::string source;         // unescaped
  std::string super_options;
};

// "\040" -> " ", and so on for any three octal digits; anything else is kept as written.
std::string unescape_mountinfo(std::string_view field);

// Lines that are not mountinfo lines (too few fields, no " - " separator) are skipped, as a
// reader of a table that may gain fields should.
std::vector<MountInfo> parse_mountinfo(std::string_view text);

// Reads and parses a mountinfo file, by default this process's.
Result<std::vector<MountInfo>> read_mountinfo(const std::string& path = "/proc/self/mountinfo");

// Whether `path` (absolute; not followed if a symlink) is the root of a mount in this mount
// namespace; false if it does not exist. is_mount_point() is false also when it cannot tell.
Result<bool> mount_point_status(const std::string& path);
bool is_mount_point(const std::string& path);

}  // namespace nodeagent
