// RFC 3339 formatting and parsing (see rfc3339.h).
#include "util/rfc3339.h"

#include <cstdint>
#include <cstdio>

namespace nodeagent {
namespace {

// `count` decimal digits at `pos`; false if the text is shorter or a character is not a digit.
bool read_digits(std::string_view s, size_t pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string format_rfc3339(std::chrono::system_clock::time_point t, Rfc3339Fraction fraction) {
  using namespace std::chrono;
  const auto ns = floor<nanoseconds>(t);
  const auto day = floor<days>(ns);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(ns - day)};
  const long long nanos = (ns - floor<seconds>(ns)).count();

  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  std::string out(buf, static_cast<size_t>(n));
  switch (fraction) {
    case Rfc3339Fraction::kNone:
      break;
    case Rfc3339Fraction::kMicros:
      std::snprintf(buf, sizeof buf, ".%06lld", nanos / 1000);
      out += buf;
      break;
    case Rfc3339Fraction::kNanosTrimmed:
      if (nanos != 0) {
        std::snprintf(buf, sizeof buf, ".%09lld", nanos);
        std::string f = buf;
        while (f.back() == '0') f.pop_back();
        out += f;
      }
      break;
    case Rfc3339Fraction::kNanosFixed:
      std::snprintf(buf, sizeof buf, ".%09lld", nanos);
      out += buf;
      break;
  }
  return out + "Z";
}

Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) {
  auto bad = [&] { return invalid("\"" + std::string(s) + "\" is not an RFC 3339 time"); };
  int year, month, day, hour, minute, second;
  if (s.size() < 20 || !read_digits(s, 0, 4, year) || s[4] != '-' || !read_digits(s, 5, 2, month) ||
      s[7] != '-' || !read_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !read_digits(s, 11, 2, hour) || s[13] != ':' || !read_digits(s, 14, 2, minute) || s[16] != ':' ||
      !read_digits(s, 17, 2, second)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  size_t pos = 19;
  int64_t nanos = 0;
  if (s[pos] == '.') {
    ++pos;
    int digits = 0;
    for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0');
    }
    if (digits == 0) return bad();
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, om)) {
      return bad();
    }
    offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return bad();
  const auto t = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} + nanoseconds{nanos} -
                 minutes{offset_minutes};
  return time_point_cast<system_clock::duration>(t);
}

}  // namespace nodeagent
