// The body of nodeagent-logger: reads a container's stdout and stderr pipes with poll(), turns
// them into CRI records and appends them to a rotating file. It never blocks on one stream
// while the other has data, reads in big chunks and enlarges the pipes, so a fast writer is not
// slowed down and no line is lost; a partial line still pending at the end is written too.
// Works on plain file descriptors, so tests drive it with pipes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "util/result.h"
#include "runtime/logs/cri_format.h"
#include "runtime/logs/logger_options.h"

namespace nodeagent::runtime::logs {

struct LoggerFds {
  int stdout_fd = -1;  // -1: no such stream
  int stderr_fd = -1;
  int ready_fd = -1;   // closed once the log file is open (containerd's shim waits for that)
  int stop_fd = -1;    // becomes readable when the logger must finish (signalfd for SIGTERM)
};

struct LoggerStats {
  uint64_t records = 0;
  uint64_t bytes_in = 0;
  int64_t rotations = 0;
  uint64_t write_errors = 0;  // failed writes (disk full, ...): those records are lost, the
                              // pipes are still drained so the container never blocks
  std::string first_write_error;
};

using Clock = std::function<TimePoint()>;

// Runs until both streams reached end of file, or until stop_fd is readable and the streams
// have stayed quiet for a moment (the shim sends SIGTERM right after closing its pipe ends and
// kills the logger 12 s later). Returns what it did.
Result<LoggerStats> run_logger(const LoggerOptions& options, const LoggerFds& fds,
                               const Clock& clock = [] { return std::chrono::system_clock::now(); });

}  // namespace nodeagent::runtime::logs
