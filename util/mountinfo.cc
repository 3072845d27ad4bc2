// mountinfo parsing (see mountinfo.h).
#include "util/mountinfo.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <iterator>

namespace nodeagent {
namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Splits on single spaces (mountinfo never writes empty fields; escaped spaces are \040).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    if (end > start) out.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool parse_int(std::string_view s, int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_line(std::string_view line, MountInfo& m) {
  const auto f = split_fields(line);
  // id parent major:minor root mount-point options [optional...] - fstype source super-options
  if (f.size() < 9) return false;
  size_t dash = 6;
  while (dash < f.size() && f[dash] != "-") ++dash;
  if (dash + 2 >= f.size()) return false;  // no separator, or no fstype and source after it
  if (!parse_int(f[0], m.mount_id) || !parse_int(f[1], m.parent_id)) return false;
  m.major_minor = std::string(f[2]);
  m.root = unescape_mountinfo(f[3]);
  m.mount_point = unescape_mountinfo(f[4]);
  m.mount_options = std::string(f[5]);
  for (size_t i = 6; i < dash; ++i) m.optional_fields.emplace_back(f[i]);
  m.fs_type = std::string(f[dash + 1]);
  m.source = unescape_mountinfo(f[dash + 2]);
  if (dash + 3 < f.size()) m.super_options = std::string(f[dash + 3]);
  return true;
}

}  // namespace

std::string unescape_mountinfo(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) && is_octal(field[i + 2]) &&
        is_octal(field[i + 3])) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(field[i]);
  }
  return out;
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    MountInfo m;
    if (parse_line(text.substr(start, end - start), m)) out.push_back(std::move(m));
    start = end + 1;
  }
  return out;
}

Result<std::vector<MountInfo>> read_mountinfo(const std::string& path) {
  std::ifstream in(path);
  if (!in) return errno_error("open " + path, errno);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  return parse_mountinfo(text);
}

Result<bool> mount_point_status(const std::string& path) {
  // statx tells it in one call (Linux 5.8+); the mount table, which grows with every pod's
  // mounts, is read only when the kernel cannot.
  struct statx st {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return errno_error("statx " + path, errno);
  }
  if (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) return (st.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  NA_ASSIGN_OR_RETURN(auto mounts, read_mountinfo());
  for (const auto& m : mounts)
    if (m.mount_point == path) return true;
  return false;
}

bool is_mount_point(const std::string& path) {
  auto mounted = mount_point_status(path);
  return mounted.ok() && *mounted;
}

}  // namespace nodeagent
