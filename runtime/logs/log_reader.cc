// read_logs: tail, filter and follow CRI log files (see log_reader.h).
#include "runtime/logs/log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <thread>
#include <vector>

#include "runtime/logs/rotating_writer.h"

namespace nodeagent::runtime::logs {
namespace {

// An open log file and how far it has been consumed. Only whole lines are consumed: the
// logger may be in the middle of writing the last one.
class FileCursor {
 public:
  ~FileCursor() { close(); }
  FileCursor() = default;
  FileCursor(const FileCursor&) = delete;
  FileCursor& operator=(const FileCursor&) = delete;

  Status open(const std::string& path) {
    close();
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return errno_error("open log " + path, errno);
    struct stat st {};
    ::fstat(fd_, &st);
    inode_ = st.st_ino;
    carry_.clear();
    return ok_status();
  }
  // Takes over an already open file, read from its start.
  void adopt(int fd, ino_t inode) {
    close();
    fd_ = fd;
    inode_ = inode;
    carry_.clear();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool is_open() const { return fd_ >= 0; }
  ino_t inode() const { return inode_; }

  // Calls on_line for every complete line available now. Returns false if on_line stopped.
  Result<bool> read_lines(const std::function<bool(std::string_view)>& on_line) {
    char buffer[64 * 1024];
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("read log", errno);
      }
      if (n == 0) return true;
      carry_.append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = carry_.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (!on_line(std::string_view(carry_).substr(start, nl - start))) {
          carry_.erase(0, nl + 1);
          return false;
        }
      }
      carry_.erase(0, start);
    }
  }

  // True when the file was truncated under us (copytruncate-style rotation).
  bool truncated() const {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) return false;
    return st.st_size < ::lseek(fd_, 0, SEEK_CUR);
  }
  void rewind() {
    ::lseek(fd_, 0, SEEK_SET);
    carry_.clear();
  }

 private:
  int fd_ = -1;
  ino_t inode_ = 0;
  std::string carry_;
};

struct OpenedFile {
  int fd = -1;
  ino_t inode = 0;
};

// Opens path, path.1, path.2, ... up to the first missing one; newest first. A rotation during
// the sweep can show one file under two names (skipped by inode), and can leave a gap that ends
// the sweep early (the caller checks that the file it was on is among those found).
std::vector<OpenedFile> open_generations(const std::string& path) {
  std::vector<OpenedFile> files;
  for (int n = 0; n < 10000; ++n) {
    const int fd = ::open(rotated_name(path, n).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    struct stat st {};
    ::fstat(fd, &st);
    bool seen = false;
    for (const auto& f : files) seen |= f.inode == st.st_ino;
    if (seen) {
      ::close(fd);
    } else {
      files.push_back({fd, st.st_ino});
    }
  }
  return files;
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Rendered lines of one whole file, in order.
Result<std::vector<std::string>> lines_of_file(const std::string& path, const ReadOptions& options) {
  FileCursor cursor;
  NA_RETURN_IF_ERROR(cursor.open(path));
  LineAssembler assembler(options);
  std::vector<std::string> lines;
  auto read = cursor.read_lines([&](std::string_view raw) {
    auto record = parse_record(raw);
    if (record.ok()) {
      if (auto line = assembler.add(*record)) lines.push_back(std::move(*line));
    }
    return true;
  });
  if (!read.ok()) return read.error();
  return lines;
}

// The last N lines: from the current file, then older rotated files while more are needed.
Status emit_tail(const std::string& path, const ReadOptions& options, const LogSink& sink) {
  const auto wanted = static_cast<size_t>(*options.tail_lines);
  std::deque<std::string> tail;
  for (int n = 1; tail.size() < wanted; ++n) {
    const std::string older = rotated_name(path, n);
    if (::access(older.c_str(), R_OK) != 0) break;
    NA_ASSIGN_OR_RETURN(auto lines, lines_of_file(older, options));
    for (auto it = lines.rbegin(); it != lines.rend() && tail.size() < wanted; ++it) tail.push_front(std::move(*it));
  }
  for (const auto& line : tail) {
    if (!sink(line)) return ok_status();
  }
  return ok_status();
}

}  // namespace

std::optional<std::string> LineAssembler::add(const LogRecord& record) {
  const int s = record.stream == Stream::kStdout ? 0 : 1;
  if (!started_[s]) started_[s] = record.time;
  pending_[s].append(record.content);
  if (record.partial) return std::nullopt;
  const TimePoint time = *started_[s];
  std::string content = std::move(pending_[s]);
  pending_[s].clear();
  started_[s].reset();
  if (options_.stream && *options_.stream != record.stream) return std::nullopt;
  if (options_.since && time < *options_.since) return std::nullopt;
  std::string line;
  if (options_.timestamps) {
    line = format_timestamp_fixed(time);
    line.push_back(' ');
  }
  line.append(content);
  line.push_back('\n');
  return line;
}

Status read_logs(const std::string& path, const ReadOptions& options, const LogSink& sink,
                 const KeepFollowing& keep_following) {
  FileCursor cursor;
  NA_RETURN_IF_ERROR(cursor.open(path));
  LineAssembler assembler(options);
  bool stopped = false;
  auto on_line = [&](std::string_view raw) {
    auto record = parse_record(raw);
    if (!record.ok()) return true;  // not a CRI line (corrupt or foreign): skip it
    if (auto line = assembler.add(*record)) {
      if (!sink(*line)) {
        stopped = true;
        return false;
      }
    }
    return true;
  };

  if (options.tail_lines) {
    // The current file first, to know how many lines it has; older files fill in before it.
    std::deque<std::string> current;
    const auto wanted = static_cast<size_t>(std::max<int64_t>(*options.tail_lines, 0));
    auto read = cursor.read_lines([&](std::string_view raw) {
      auto record = parse_record(raw);
      if (record.ok()) {
        if (auto line = assembler.add(*record)) {
          current.push_back(std::move(*line));
          if (current.size() > wanted) current.pop_front();
        }
      }
      return true;
    });
    if (!read.ok()) return read.error();
    if (current.size() < wanted) {
      ReadOptions older = options;
      older.tail_lines = static_cast<int64_t>(wanted - current.size());
      NA_RETURN_IF_ERROR(emit_tail(path, older, sink));
    }
    for (const auto& line : current) {
      if (!sink(line)) return ok_status();
    }
  } else {
    auto read = cursor.read_lines(on_line);
    if (!read.ok()) return read.error();
    if (stopped) return ok_status();
  }

  constexpr int kSweepsBeforeGivingUp = 20;
  int sweeps_without_cursor = 0;
  while (options.follow) {
    // When the writer is done, one last pass picks up what it wrote since the previous read.
    const bool more = keep_following();
    if (more) std::this_thread::sleep_for(options.poll_interval);
    // Look for a rotation BEFORE reading: the logger never writes to a file after renaming
    // it, so once the rename is seen, reading the old file to its end misses nothing.
    const ino_t now = inode_of(path);
    const bool rotated = now != 0 && now != cursor.inode();
    if (cursor.truncated()) cursor.rewind();
    auto read = cursor.read_lines(on_line);
    if (!read.ok()) return read.error();
    if (stopped) return ok_status();
    if (rotated) {
      // One or more rotations since the last look: read every file written after the one we
      // were on, oldest first, and stay on the newest.
      auto files = open_generations(path);
      if (files.empty()) continue;  // between rename and create: try again next round
      size_t newer = files.size();
      for (size_t i = 0; i < files.size(); ++i) {
        if (files[i].inode == cursor.inode()) newer = i;
      }
      // Our file not among them: the sweep ran into the gap a rotation in progress leaves
      // (path.k renamed away, path.k-1 not yet renamed to it) and stopped before it, so
      // generations between ours and the gap would be skipped. Look again next round, unless
      // our file really is gone (rotated out of max-files): then what is left is all there is.
      if (newer == files.size() && ++sweeps_without_cursor < kSweepsBeforeGivingUp) {
        for (const auto& f : files) ::close(f.fd);
        continue;
      }
      sweeps_without_cursor = 0;
      for (size_t i = newer; i < files.size(); ++i) ::close(files[i].fd);
      if (newer == 0) continue;
      for (size_t i = newer; i-- > 0;) {
        cursor.adopt(files[i].fd, files[i].inode);
        auto fresh = cursor.read_lines(on_line);
        if (!fresh.ok() || stopped) {
          for (size_t j = 0; j < i; ++j) ::close(files[j].fd);
          if (!fresh.ok()) return fresh.error();
          return ok_status();
        }
      }
    }
    if (!more) break;
  }
  return ok_status();
}

std::string container_log_path(const std::string& container_dir, int restart_count) {
  return container_dir + "/" + std::to_string(restart_count) + ".log";
}

Result<std::string> previous_log_path(const std::string& container_dir, int restart_count) {
  if (restart_count <= 0) return not_found("previous log in " + container_dir + ": the container has not restarted");
  const std::string path = container_log_path(container_dir, restart_count - 1);
  if (::access(path.c_str(), R_OK) != 0) return not_found("previous log " + path + ": missing");
  return path;
}

}  // namespace nodeagent::runtime::logs
