// metav1.Time / MicroTime: parsing and printing are util/rfc3339's, at the wire's precisions.
#include "kube/time.h"

#include <string>

#include "util/rfc3339.h"

namespace nodeagent::kube {

Result<Time> parse_time(std::string_view s) {
  // A space for the 'T' (RFC 3339's note on readability) has always been accepted here too.
  std::string text(s);
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  auto t = parse_rfc3339(text);
  if (!t.ok()) return invalid("invalid RFC 3339 time " + std::string(s));
  // Microseconds, MicroTime's precision (and more than Time's): further digits are dropped.
  return std::chrono::time_point_cast<Time::duration>(std::chrono::floor<std::chrono::microseconds>(*t));
}

std::string format_time(Time t) { return format_rfc3339(t, Rfc3339Fraction::kNone); }
std::string format_micro_time(Time t) { return format_rfc3339(t, Rfc3339Fraction::kMicros); }

}  // namespace nodeagent::kube
