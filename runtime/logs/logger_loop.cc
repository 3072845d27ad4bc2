// run_logger: the poll loop of nodeagent-logger (see logger_loop.h).
#include "runtime/logs/logger_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <vector>

#include "runtime/logs/line_splitter.h"
#include "runtime/logs/rotating_writer.h"

namespace nodeagent::runtime::logs {
namespace {

constexpr size_t kReadChunk = 256 * 1024;
constexpr int kPipeSize = 1 << 20;         // 1 MiB: room for bursts while we write
constexpr int kReadsPerRound = 8;          // per stream, so one busy stream cannot starve the other
constexpr int kQuietAfterStopMs = 200;     // after SIGTERM: exit once the pipes stay this quiet
constexpr auto kStopDeadline = std::chrono::seconds(8);  // and in any case before the shim's 12 s

struct Input {
  int fd = -1;
  Stream stream = Stream::kStdout;
  LineSplitter splitter;
  bool open = false;
};

class Logger {
 public:
  Logger(const LoggerOptions& options, const Clock& clock)
      : writer_(options.path, options.rotation), clock_(clock) {
    inputs_[0].splitter = LineSplitter(options.max_line_size);
    inputs_[1].splitter = LineSplitter(options.max_line_size);
  }

  Result<LoggerStats> run(const LoggerFds& fds) {
    auto opened = writer_.open();
    if (fds.ready_fd >= 0) ::close(fds.ready_fd);  // ready (or failed): the shim must not hang
    if (!opened.ok()) return opened.error();
    setup_input(inputs_[0], fds.stdout_fd, Stream::kStdout);
    setup_input(inputs_[1], fds.stderr_fd, Stream::kStderr);
    buffer_.resize(kReadChunk);

    bool stopping = false;
    std::chrono::steady_clock::time_point stop_deadline;
    while (inputs_[0].open || inputs_[1].open) {
      std::vector<pollfd> polled;
      for (auto& in : inputs_) {
        if (in.open) polled.push_back({in.fd, POLLIN, 0});
      }
      if (!stopping && fds.stop_fd >= 0) polled.push_back({fds.stop_fd, POLLIN, 0});
      const int timeout = stopping ? kQuietAfterStopMs : -1;
      const int ready = ::poll(polled.data(), polled.size(), timeout);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return errno_error("poll container streams", errno);
      }
      if (ready == 0 && stopping) break;  // quiet after SIGTERM: whatever held the pipes is gone
      for (const auto& p : polled) {
        if (p.revents == 0) continue;
        if (p.fd == fds.stop_fd) {
          stopping = true;
          stop_deadline = std::chrono::steady_clock::now() + kStopDeadline;
          continue;
        }
        for (auto& in : inputs_) {
          if (in.open && in.fd == p.fd) NA_RETURN_IF_ERROR(drain(in));
        }
      }
      count(writer_.flush());
      if (stopping && std::chrono::steady_clock::now() > stop_deadline) break;
    }
    for (auto& in : inputs_) finish(in);
    count(writer_.flush());
    stats_.rotations = writer_.rotations();
    return stats_;
  }

 private:
  void setup_input(Input& in, int fd, Stream stream) {
    in.fd = fd;
    in.stream = stream;
    in.open = fd >= 0;
    if (!in.open) return;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETPIPE_SZ, kPipeSize);  // best effort: not a pipe, or above pipe-max-size
  }

  // Reads what is there (a bounded number of chunks) and writes the completed records.
  Status drain(Input& in) {
    for (int i = 0; i < kReadsPerRound; ++i) {
      const ssize_t n = ::read(in.fd, buffer_.data(), buffer_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return ok_status();
        finish(in);  // a broken stream ends like a closed one
        return ok_status();
      }
      if (n == 0) {
        finish(in);
        return ok_status();
      }
      stats_.bytes_in += static_cast<uint64_t>(n);
      // One timestamp per chunk read: the lines in it arrived together.
      const std::string timestamp = format_timestamp(clock_());
      in.splitter.feed(std::string_view(buffer_.data(), static_cast<size_t>(n)),
                       [&](std::string_view content, bool partial) {
                         write_record(timestamp, in.stream, partial, content);
                       });
      if (static_cast<size_t>(n) < buffer_.size()) return ok_status();
    }
    return ok_status();
  }

  void finish(Input& in) {
    if (!in.open) return;
    in.open = false;
    const std::string timestamp = format_timestamp(clock_());
    in.splitter.finish([&](std::string_view content, bool partial) {
      write_record(timestamp, in.stream, partial, content);
    });
  }

  void write_record(std::string_view timestamp, Stream stream, bool partial, std::string_view content) {
    record_.clear();
    append_record(record_, timestamp, stream, partial, content);
    ++stats_.records;
    count(writer_.append(record_));
  }

  // Write errors are counted, not fatal: exiting would break the container's pipes.
  void count(const Status& status) {
    if (!status.ok()) {
      if (stats_.write_errors == 0) stats_.first_write_error = status.error().message;
      ++stats_.write_errors;
    }
  }

  std::array<Input, 2> inputs_;
  RotatingWriter writer_;
  Clock clock_;
  std::vector<char> buffer_;
  std::string record_;
  LoggerStats stats_;
};

}  // namespace

Result<LoggerStats> run_logger(const LoggerOptions& options, const LoggerFds& fds, const Clock& clock) {
  Logger logger(options, clock);
  return logger.run(fds);
}

}  // namespace nodeagent::runtime::logs
