// Atomic file writes: temp file, fsync, rename, fsync of the directory (see atomic_file.h).
#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>

namespace nodeagent {
namespace {

bool has_content(const std::string& path, std::string_view content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string existing((std::istreambuf_iterator<char>(in)), {});
  return existing == content;
}

Status write_all(int fd, std::string_view content, const std::string& name) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("write " + name, errno);
    done += static_cast<size_t>(n);
  }
  return ok_status();
}

// Writes, chmods and fsyncs the temp file; closes it in every case.
Status fill_temp(const std::string& tmp, std::string_view content, mode_t mode) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("create " + tmp, errno);
  Status status = write_all(fd, content, tmp);
  if (status.ok() && ::fchmod(fd, mode) != 0) status = errno_error("chmod " + tmp, errno);
  if (status.ok() && ::fsync(fd) != 0) status = errno_error("fsync " + tmp, errno);
  if (::close(fd) != 0 && status.ok()) status = errno_error("close " + tmp, errno);
  return status;
}

std::string parent_dir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("open " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return errno_error("fsync " + dir, err);
  return ok_status();
}

}  // namespace

Status write_file_atomically(const std::string& path, std::string_view content, const AtomicWriteOptions& options) {
  if (options.skip_if_unchanged && has_content(path, content)) return ok_status();
  const std::string tmp = path + ".tmp";
  if (Status filled = fill_temp(tmp, content, options.mode); !filled.ok()) {
    ::unlink(tmp.c_str());
    return filled;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return errno_error("rename " + tmp + " to " + path, err);
  }
  return fsync_dir(parent_dir(path));
}

}  // namespace nodeagent
