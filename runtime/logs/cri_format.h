// The CRI container log format, as containerd's CRI plugin writes it and kubelet reads it:
//   <timestamp> <stream> <tag> <content>\n
// timestamp: RFC 3339 with nanoseconds in UTC, written like Go's time.RFC3339Nano (trailing
// zeros of the fraction dropped); stream: stdout|stderr; tag: F (full line) or P (partial: a
// line longer than the maximum was cut, the rest follows in the next records).
// Pure functions only: no files, no clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent::runtime::logs {

using TimePoint = std::chrono::system_clock::time_point;

// containerd CRI's default max_container_log_line_size.
constexpr size_t kMaxLineSize = 16 * 1024;

enum class Stream { kStdout, kStderr };

std::string_view stream_name(Stream stream);

struct LogRecord {
  TimePoint time;
  Stream stream = Stream::kStdout;
  bool partial = false;
  std::string content;  // without the trailing newline
};

// "2026-11-25T07:34:13.05Z": Go's RFC3339Nano in UTC.
std::string format_timestamp(TimePoint time);
// Fixed nine fraction digits, as kubelet prints with `--timestamps` ("...13.050000000Z").
std::string format_timestamp_fixed(TimePoint time);
// Parses RFC 3339 with optional fraction and a Z or ±hh:mm offset (util/rfc3339.h).
Result<TimePoint> parse_timestamp(std::string_view text);

// Appends one formatted record (with its newline) to `out`.
void append_record(std::string& out, std::string_view timestamp, Stream stream, bool partial,
                   std::string_view content);
// Parses one line of a log file (without its newline).
Result<LogRecord> parse_record(std::string_view line);

}  // namespace nodeagent::runtime::logs
