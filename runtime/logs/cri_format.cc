// CRI log format: timestamps and records (see cri_format.h).
#include "runtime/logs/cri_format.h"

#include <charconv>
#include <ctime>

#include "util/rfc3339.h"

namespace nodeagent::runtime::logs {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;
using std::chrono::seconds;

bool parse_int(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string_view stream_name(Stream stream) { return stream == Stream::kStdout ? "stdout" : "stderr"; }

std::string format_timestamp(TimePoint time) { return format_rfc3339(time, Rfc3339Fraction::kNanosTrimmed); }

std::string format_timestamp_fixed(TimePoint time) { return format_rfc3339(time, Rfc3339Fraction::kNanosFixed); }

Result<TimePoint> parse_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  auto bad = [&] { return invalid("log timestamp '" + std::string(text) + "': not RFC 3339"); };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':') {
    return bad();
  }
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!parse_int(text.substr(0, 4), year) || !parse_int(text.substr(5, 2), month) ||
      !parse_int(text.substr(8, 2), day) || !parse_int(text.substr(11, 2), hour) ||
      !parse_int(text.substr(14, 2), minute) || !parse_int(text.substr(17, 2), second)) {
    return bad();
  }
  size_t pos = 19;
  long nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
    for (; digits < 9; ++digits) nanos *= 10;
  }
  long offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    int oh, om;
    if (!parse_int(text.substr(pos + 1, 2), oh) || !parse_int(text.substr(pos + 4, 2), om)) return bad();
    offset_seconds = (oh * 3600L + om * 60L) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t utc = ::timegm(&tm);
  return TimePoint(duration_cast<TimePoint::duration>(seconds(utc - offset_seconds) + nanoseconds(nanos)));
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
