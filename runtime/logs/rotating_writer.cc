// RotatingWriter: buffered append with size-based rotation (see rotating_writer.h).
#include "runtime/logs/rotating_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace nodeagent::runtime::logs {
namespace {

constexpr size_t kFlushThreshold = 256 * 1024;

}  // namespace

std::string rotated_name(const std::string& path, int n) {
  return n == 0 ? path : path + "." + std::to_string(n);
}

RotatingWriter::RotatingWriter(std::string path, RotationPolicy policy)
    : path_(std::move(path)), policy_(policy) {
  buffer_.reserve(kFlushThreshold * 2);
}

RotatingWriter::~RotatingWriter() {
  flush().ignore_error();
  if (fd_ >= 0) ::close(fd_);
}

Status RotatingWriter::open() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return errno_error("open log " + path_, errno);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return errno_error("stat log " + path_, errno);
  file_size_ = st.st_size;
  return ok_status();
}

Status RotatingWriter::write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write log " + path_, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

Status RotatingWriter::flush() {
  if (buffer_.empty() || fd_ < 0) return ok_status();
  auto status = write_all(buffer_);
  // Dropped on error too: keeping it would only grow memory while the disk is full.
  buffer_.clear();
  return status;
}

Status RotatingWriter::rotate() {
  NA_RETURN_IF_ERROR(flush());
  const int keep = policy_.max_files < 1 ? 1 : policy_.max_files;
  // Shift path.(keep-2) -> path.(keep-1), ..., path -> path.1; the oldest is overwritten.
  if (keep == 1) {
    ::unlink(path_.c_str());
  } else {
    for (int n = keep - 2; n >= 0; --n) {
      const std::string from = rotated_name(path_, n);
      if (::rename(from.c_str(), rotated_name(path_, n + 1).c_str()) != 0 && errno != ENOENT) {
        return errno_error("rotate log " + from, errno);
      }
    }
  }
  ++rotations_;
  return open();
}

Status RotatingWriter::append(std::string_view records) {
  if (fd_ < 0) return internal("log " + path_ + ": not open");
  const auto size = static_cast<int64_t>(records.size());
  if (policy_.max_size > 0 && file_size_ > 0 && file_size_ + size > policy_.max_size) {
    NA_RETURN_IF_ERROR(rotate());
  }
  buffer_.append(records);
  file_size_ += size;
  if (buffer_.size() >= kFlushThreshold) return flush();
  return ok_status();
}

}  // namespace nodeagent::runtime::logs
