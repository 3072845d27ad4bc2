// The one RFC 3339 formatter and parser: UTC, "2024-05-01T10:00:00" plus the fraction each
// caller's wire format wants; parsing takes any fraction and offset. Lives in util/ because
// runtime/ (CRI logs, containerd labels) needs it as well as kube/ (metav1.Time, MicroTime) and
// the agent (nodectl).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent {

enum class Rfc3339Fraction {
  kNone,         // "2024-05-01T10:00:00Z": seconds, the fraction dropped (metav1.Time)
  kMicros,       // "2024-05-01T10:00:00.123456Z": six digits (metav1.MicroTime)
  kNanosTrimmed, // "2024-05-01T10:00:00.05Z": Go's time.RFC3339Nano, trailing zeros (and a zero
                 // fraction's dot) dropped
  kNanosFixed,   // "2024-05-01T10:00:00.050000000Z": always nine digits (kubelet's --timestamps)
};

// Times before 1970 are floored, so the fraction is never negative.
std::string format_rfc3339(std::chrono::system_clock::time_point t, Rfc3339Fraction fraction);

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)", the 'T' and 'Z' in either case. Any number
// of fraction digits: nanoseconds are kept, further digits dropped. The date and time are
// range-checked (second 60, a leap second, reads as the next minute's first second). The error
// names the text.
Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace nodeagent
