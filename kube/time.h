// metav1.Time and metav1.MicroTime on the wire: RFC 3339 in UTC, "2024-05-01T10:00:00Z" (seconds)
// and "2024-05-01T10:00:00.123456Z" (microseconds). Formatting is util/rfc3339.h.
#pragma once

#include <string>
#include <string_view>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

// Accepts any RFC 3339 time: fractional seconds, "Z" or a "+02:00" offset.
Result<Time> parse_time(std::string_view text);

// Second precision (metav1.Time truncates).
std::string format_time(Time t);

// Microsecond precision (metav1.MicroTime).
std::string format_micro_time(Time t);

}  // namespace nodeagent::kube
