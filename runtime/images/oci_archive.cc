// libarchive read loop writing each entry by hand (not archive_write_disk), so that the
// only things that can appear under the target directory are plain files and directories.
#include "runtime/images/oci_archive.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include <archive.h>
#include <archive_entry.h>

namespace nodeagent::runtime::images {
namespace fs = std::filesystem;

Result<TempDir> TempDir::create(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (!mkdtemp(pattern.data())) return errno_error("mkdtemp " + pattern, errno);
  return TempDir(fs::path(pattern));
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

// "a/./b" → "a/b"; rejects absolute paths and "..".
Result<fs::path> safe_relative(const std::string& name) {
  fs::path p = fs::path(name).lexically_normal();
  if (p.is_absolute()) return invalid("entry \"" + name + "\": absolute path");
  for (const auto& part : p) {
    if (part == "..") return invalid("entry \"" + name + "\": path leaves the archive");
  }
  return p;
}

}  // namespace

Status extract_archive(const std::string& archive_path, const fs::path& dir) {
  const std::string what = "archive " + archive_path;
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  struct Closer {
    struct archive* a;
    ~Closer() { archive_read_free(a); }
  } closer{a};

  if (archive_read_open_filename(a, archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    int err = archive_errno(a);
    Error e = invalid(what + ": " + archive_error_string(a));
    if (err == ENOENT) e.code = ErrorCode::kNotFound;
    return e;
  }
  struct archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return invalid(what + ": " + archive_error_string(a));
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    auto rel = safe_relative(name);
    if (!rel.ok()) return rel.error().wrap(what);
    if (rel->empty() || *rel == ".") continue;
    fs::path target = dir / *rel;
    std::error_code ec;
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      fs::create_directories(target, ec);
      if (ec) return internal(what + ": mkdir " + target.string() + ": " + ec.message());
      continue;
    }
    if (type != AE_IFREG) continue;  // links, devices: not part of an image layout; skipped
    fs::create_directories(target.parent_path(), ec);
    if (ec) return internal(what + ": mkdir " + target.parent_path().string() + ": " + ec.message());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) return internal(what + ": cannot create " + target.string());
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.write(buf, n);
    if (n < 0) return invalid(what + ": entry " + name + ": " + archive_error_string(a));
    if (!out.flush()) return internal(what + ": write " + target.string() + " failed");
  }
  return ok_status();
}

}  // namespace nodeagent::runtime::images
