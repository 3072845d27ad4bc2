// format_rfc3339: every precision a caller needs, and times before 1970.
#include <catch2/catch.hpp>

#include "util/rfc3339.h"

using namespace nodeagent;
using namespace std::chrono;

namespace {
system_clock::time_point at(long long secs, long long nanos = 0) {
  return system_clock::time_point(duration_cast<system_clock::duration>(seconds(secs) + nanoseconds(nanos)));
}
}  // namespace

TEST_CASE("format_rfc3339 at each precision", "[rfc3339]") {
  const auto t = at(1'700'000'000, 50'000'000);
  CHECK(format_rfc3339(t, Rfc3339Fraction::kNone) == "2023-11-14T22:13:20Z");
  CHECK(format_rfc3339(t, Rfc3339Fraction::kMicros) == "2023-11-14T22:13:20.050000Z");
  CHECK(format_rfc3339(t, Rfc3339Fraction::kNanosTrimmed) == "2023-11-14T22:13:20.05Z");
  CHECK(format_rfc3339(t, Rfc3339Fraction::kNanosFixed) == "2023-11-14T22:13:20.050000000Z");
  CHECK(format_rfc3339(at(1'700'000'000, 123'456'789), Rfc3339Fraction::kNanosTrimmed) ==
        "2023-11-14T22:13:20.123456789Z");
  CHECK(format_rfc3339(at(1'700'000'000, 999'999'999), Rfc3339Fraction::kNone) == "2023-11-14T22:13:20Z");
}

TEST_CASE("format_rfc3339 without a fraction drops the dot", "[rfc3339]") {
  CHECK(format_rfc3339(at(0), Rfc3339Fraction::kNanosTrimmed) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(at(0), Rfc3339Fraction::kNanosFixed) == "1970-01-01T00:00:00.000000000Z");
  CHECK(format_rfc3339(at(951'782'400), Rfc3339Fraction::kNone) == "2000-02-29T00:00:00Z");
}

TEST_CASE("format_rfc3339 floors times before 1970", "[rfc3339]") {
  CHECK(format_rfc3339(at(-1, 500'000'000), Rfc3339Fraction::kNanosTrimmed) == "1969-12-31T23:59:59.5Z");
  CHECK(format_rfc3339(at(-1, 500'000'000), Rfc3339Fraction::kNone) == "1969-12-31T23:59:59Z");
}
