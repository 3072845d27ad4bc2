// Reading CRI log files for `nodectl logs`: the container's output as the user wrote it
// (partial records joined back into lines), optionally with timestamps, one stream only, the
// last N lines, lines since a time, and following the file as it grows — also across
// rotations (`path` renamed to `path.1` and a new `path` started by nodeagent-logger).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "runtime/logs/cri_format.h"

namespace nodeagent::runtime::logs {

struct ReadOptions {
  std::optional<int64_t> tail_lines;   // last N lines (rotated files are read when needed);
                                       // unset: the whole current file, like kubelet
  bool follow = false;
  bool timestamps = false;             // prefix each line with its RFC 3339 time (9 digits)
  std::optional<Stream> stream;        // unset: both
  std::optional<TimePoint> since;      // only lines at or after this time
  std::chrono::milliseconds poll_interval{100};  // how often a follow looks for new data
};

// Receives output chunks (whole lines); returns false to stop reading (client went away).
using LogSink = std::function<bool(std::string_view)>;
// Asked whenever a follow has caught up; false ends the follow (e.g. the container has exited).
using KeepFollowing = std::function<bool()>;

Status read_logs(const std::string& path, const ReadOptions& options, const LogSink& sink,
                 const KeepFollowing& keep_following = [] { return true; });

// <dir>/<restart_count>.log — kubelet's layout under /var/log/pods/<ns>_<pod>_<uid>/<container>/.
std::string container_log_path(const std::string& container_dir, int restart_count);
// The log of the previous instance (--previous): NotFound when there is none.
Result<std::string> previous_log_path(const std::string& container_dir, int restart_count);

// Joins partial records back into lines and renders them (pure; used by read_logs).
class LineAssembler {
 public:
  explicit LineAssembler(const ReadOptions& options) : options_(options) {}
  // Returns the rendered line ("[timestamp ]content\n") when `record` completes one that passes
  // the filters, or nullopt.
  std::optional<std::string> add(const LogRecord& record);

 private:
  const ReadOptions& options_;
  std::string pending_[2];            // per stream: partial content so far
  std::optional<TimePoint> started_[2];  // time of a pending line's first record
};

}  // namespace nodeagent::runtime::logs
