// The log file cursor and the follow loop (see log_follower.h). Polling rather than inotify:
// one fstat/stat per poll interval per follower is cheap, and it sees rotation and truncation
// the same way on every filesystem.
#include "agent/api/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "agent/api/cri_log.h"

namespace nodeagent::api {
namespace {

using Clock = std::chrono::steady_clock;

// An open log file and the bytes read from it that do not yet end in '\n'.
class FileCursor {
 public:
  ~FileCursor() { close_fd(); }

  Status open(const std::string& path) {
    close_fd();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return errno_error("open " + path, errno);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return errno_error("stat " + path, errno);
    inode_ = st.st_ino;
    device_ = st.st_dev;
    offset_ = 0;
    leftover_.clear();
    return ok_status();
  }

  bool is_open() const { return fd_ >= 0; }

  // Reads everything available and calls on_record for each complete record.
  template <typename OnRecord>
  Status drain(const OnRecord& on_record) {
    char buf[64 * 1024];
    while (true) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("read log", errno);
      }
      if (n == 0) return ok_status();
      offset_ += n;
      leftover_.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = leftover_.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (!on_record(std::string_view(leftover_).substr(start, nl - start))) return ok_status();
      }
      leftover_.erase(0, start);
    }
  }

  // The trailing bytes without '\n' (a record the writer has not finished, or the file's end).
  std::string take_leftover() { return std::exchange(leftover_, {}); }

  // Whether `path` now names another file than the one open (rotated away or removed).
  bool replaced(const std::string& path) const {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return true;
    return st.st_ino != inode_ || st.st_dev != device_;
  }

  // copytruncate-style rotation: the file shrank under us, start again from its beginning.
  void rewind_if_truncated() {
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && st.st_size < offset_) {
      ::lseek(fd_, 0, SEEK_SET);
      offset_ = 0;
      leftover_.clear();
    }
  }

 private:
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
  ino_t inode_ = 0;
  dev_t device_ = 0;
  off_t offset_ = 0;
  std::string leftover_;
};

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class Follower {
 public:
  Follower(const std::string& path, const LogReadOptions& options, const LogCallbacks& callbacks)
      : path_(path), options_(options), cb_(callbacks), formatter_(options.timestamps) {}

  Status run() {
    if (!file_exists(path_)) {
      if (!options_.follow) return not_found("log file " + path_ + " does not exist");
      // The container may not have written anything yet: wait for the file or its end.
      while (!file_exists(path_)) {
        if (cb_.cancelled() || !cb_.writer_active()) return ok_status();
        std::this_thread::sleep_for(options_.poll_interval);
      }
    }
    NA_RETURN_IF_ERROR(cursor_.open(path_));
    NA_RETURN_IF_ERROR(send_tail());
    if (!options_.follow || gone_) return finish();
    return follow();
  }

 private:
  // The initial part: everything there now (streamed in chunks), or only its last N lines.
  Status send_tail() {
    if (options_.tail_lines < 0) return drain_and_send();
    TailBuffer tail(options_.tail_lines);
    NA_RETURN_IF_ERROR(cursor_.drain([&](std::string_view record) {
      if (auto line = formatter_.feed(record)) tail.push(std::move(*line));
      return true;
    }));
    if (!options_.follow) {
      // The file is complete: its unterminated end and pending partial line count as lines.
      std::string rest = cursor_.take_leftover();
      if (!rest.empty()) {
        if (auto line = formatter_.feed(rest)) tail.push(std::move(*line));
      }
      if (auto line = formatter_.flush()) tail.push(std::move(*line));
    }
    send(tail.join());
    return ok_status();
  }

  Status follow() {
    auto next_writer_check = Clock::now();
    bool active = true;
    while (!cb_.cancelled()) {
      // Sample activity before draining, so lines written just before the exit are still read.
      if (Clock::now() >= next_writer_check) {
        active = cb_.writer_active();
        next_writer_check = Clock::now() + options_.writer_check_interval;
      }
      NA_RETURN_IF_ERROR(drain_and_send());
      if (gone_) return ok_status();
      if (cursor_.replaced(path_)) {
        if (file_exists(path_)) {
          // Rotated: the old file is drained; its unterminated end is a record of its own.
          end_file();
          NA_RETURN_IF_ERROR(cursor_.open(path_));
          continue;
        }
      } else {
        cursor_.rewind_if_truncated();
      }
      if (!active) return finish();
      std::this_thread::sleep_for(options_.poll_interval);
    }
    return ok_status();
  }

  Status drain_and_send() {
    std::string out;
    Status st = cursor_.drain([&](std::string_view record) {
      if (auto line = formatter_.feed(record)) out += *line;
      // Send in bounded chunks so one huge backlog is not one huge message.
      if (out.size() >= 32 * 1024) {
        if (!send(out)) return false;
        out.clear();
      }
      return true;
    });
    if (!out.empty()) send(out);
    return st;
  }

  void end_file() {
    std::string out;
    std::string rest = cursor_.take_leftover();
    if (!rest.empty()) {
      if (auto line = formatter_.feed(rest)) out += *line;
    }
    if (!out.empty()) send(out);
  }

  Status finish() {
    if (!gone_) {
      end_file();
      if (auto line = formatter_.flush()) send(*line);
    }
    return ok_status();
  }

  bool send(std::string_view data) {
    if (gone_) return false;
    if (data.empty()) return true;
    if (!cb_.sink(data)) gone_ = true;
    return !gone_;
  }

  const std::string& path_;
  const LogReadOptions& options_;
  const LogCallbacks& cb_;
  CriLogFormatter formatter_;
  FileCursor cursor_;
  bool gone_ = false;  // the reader went away
};

}  // namespace

Status stream_log(const std::string& path, const LogReadOptions& options, const LogCallbacks& callbacks) {
  return Follower(path, options, callbacks).run();
}

}  // namespace nodeagent::api
