// CRI log format: timestamps and records (see cri_format.h).
#include "runtime/logs/cri_format.h"

#include "util/rfc3339.h"

namespace nodeagent::runtime::logs {

std::string_view stream_name(Stream stream) { return stream == Stream::kStdout ? "stdout" : "stderr"; }

std::string format_timestamp(TimePoint time) { return format_rfc3339(time, Rfc3339Fraction::kNanosTrimmed); }

std::string format_timestamp_fixed(TimePoint time) { return format_rfc3339(time, Rfc3339Fraction::kNanosFixed); }

Result<TimePoint> parse_timestamp(std::string_view text) {
  auto time = parse_rfc3339(text);
  if (!time.ok()) return invalid("log timestamp '" + std::string(text) + "': not RFC 3339");
  return *time;
}

void append_record(std::string& out, std::string_view timestamp, Stream stream, bool partial,
                   std::string_view content) {
  out.append(timestamp);
  out.push_back(' ');
  out.append(stream_name(stream));
  out.append(partial ? " P " : " F ");
  out.append(content);
  out.push_back('\n');
}

Result<LogRecord> parse_record(std::string_view line) {
  auto bad = [&](const char* why) {
    return invalid("log line '" + std::string(line.substr(0, 80)) + "': " + why);
  };
  const size_t ts_end = line.find(' ');
  if (ts_end == std::string_view::npos) return bad("no timestamp");
  auto time = parse_timestamp(line.substr(0, ts_end));
  if (!time.ok()) return time.error();
  std::string_view rest = line.substr(ts_end + 1);
  LogRecord record;
  record.time = *time;
  if (rest.substr(0, 7) == "stdout ") {
    record.stream = Stream::kStdout;
  } else if (rest.substr(0, 7) == "stderr ") {
    record.stream = Stream::kStderr;
  } else {
    return bad("stream is not stdout or stderr");
  }
  rest.remove_prefix(7);
  // Tag, then one space, then the content (which may be empty and may contain spaces).
  const size_t tag_end = rest.find(' ');
  const std::string_view tag = rest.substr(0, tag_end);
  if (tag.empty() || (tag[0] != 'F' && tag[0] != 'P')) return bad("tag is not F or P");
  record.partial = tag[0] == 'P';
  record.content = tag_end == std::string_view::npos ? "" : std::string(rest.substr(tag_end + 1));
  return record;
}

}  // namespace nodeagent::runtime::logs
