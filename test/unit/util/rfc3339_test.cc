// format_rfc3339: every precision a caller needs, and times before 1970; parse_rfc3339: fractions,
// offsets, the malformed and the out of range.
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

TEST_CASE("parse_rfc3339 reads Z, fractions and offsets", "[rfc3339]") {
  auto base = parse_rfc3339("2024-05-01T10:00:00Z");
  REQUIRE(base.ok());
  CHECK(system_clock::to_time_t(*base) == 1714557600);
  auto frac = parse_rfc3339("2024-05-01T10:00:00.5Z");
  REQUIRE(frac.ok());
  CHECK(*frac - *base == 500ms);
  auto offset = parse_rfc3339("2024-05-01T12:00:00+02:00");
  REQUIRE(offset.ok());
  CHECK(*offset == *base);
  auto west = parse_rfc3339("2024-05-01T07:30:00-02:30");
  REQUIRE(west.ok());
  CHECK(*west == *base);
  auto lower = parse_rfc3339("2024-05-01t10:00:00z");
  REQUIRE(lower.ok());
  CHECK(*lower == *base);
}

TEST_CASE("parse_rfc3339 keeps nanoseconds and drops further digits", "[rfc3339]") {
  CHECK(*parse_rfc3339("2023-11-14T22:13:20.123456789Z") == at(1'700'000'000, 123'456'789));
  CHECK(*parse_rfc3339("2023-11-14T22:13:20.1234567891Z") == at(1'700'000'000, 123'456'789));
  CHECK(*parse_rfc3339("2023-11-14T22:13:20.05Z") == at(1'700'000'000, 50'000'000));
  CHECK(*parse_rfc3339("1969-12-31T23:59:59.5Z") == at(-1, 500'000'000));
  // What format_rfc3339 writes reads back, at every precision that keeps the time.
  for (long long ns : {0LL, 1LL, 50'000'000LL, 123'456'789LL}) {
    const auto t = at(1'700'000'000, ns);
    CHECK(*parse_rfc3339(format_rfc3339(t, Rfc3339Fraction::kNanosTrimmed)) == t);
    CHECK(*parse_rfc3339(format_rfc3339(t, Rfc3339Fraction::kNanosFixed)) == t);
  }
}

TEST_CASE("parse_rfc3339 refuses the malformed and the out of range, naming the text", "[rfc3339]") {
  for (const char* bad : {"", "yesterday", "2024-05-01", "2024-05-01T10:00:00", "2024-05-01 10:00:00Z",
                          "2024-05-01T10:00:00.Z", "2024-05-01T10:00:00+02", "2024-05-01T10:00:00+0200",
                          "2024-05-01T10:00:00Zjunk", "2024-5-01T10:00:00Z", "2024-13-01T10:00:00Z",
                          "2024-02-30T10:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T10:60:00Z",
                          "2024-05-01T10:00:61Z", "+024-05-01T10:00:00Z"}) {
    INFO(bad);
    auto t = parse_rfc3339(bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message == "\"" + std::string(bad) + "\" is not an RFC 3339 time");
  }
  // A leap second reads as the next minute's first second; February 29th only in leap years.
  CHECK(*parse_rfc3339("2016-12-31T23:59:60Z") == *parse_rfc3339("2017-01-01T00:00:00Z"));
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").ok());
  CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00Z").ok());
}
