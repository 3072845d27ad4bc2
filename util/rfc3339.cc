// RFC 3339 formatting (see rfc3339.h).
#include "util/rfc3339.h"

#include <cstdio>

namespace nodeagent {

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

}  // namespace nodeagent
