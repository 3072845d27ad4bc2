// metav1.Time / MicroTime on the wire: RFC 3339 in UTC, parse accepts fractions and offsets.
#include <catch2/catch.hpp>

#include "kube/time.h"

using namespace nodeagent::kube;

namespace {
Time at(int seconds) { return Time(std::chrono::seconds(1'700'000'000 + seconds)); }
}  // namespace

TEST_CASE("time format: RFC 3339 seconds, parse accepts fractions", "[time]") {
  CHECK(format_time(at(0)) == "2023-11-14T22:13:20Z");
  CHECK(format_time(at(0) + std::chrono::milliseconds(999)) == "2023-11-14T22:13:20Z");  // truncated
  CHECK(format_micro_time(at(0) + std::chrono::microseconds(1500)) == "2023-11-14T22:13:20.001500Z");
  auto parsed = parse_time("2023-11-14T22:13:20.250Z");
  REQUIRE(parsed.ok());
  CHECK(*parsed == at(0) + std::chrono::milliseconds(250));
  CHECK_FALSE(parse_time("yesterday").ok());
  // An offset is RFC 3339 too (the API server only writes Z, but accepts both).
  auto offset = parse_time("2023-11-15T00:13:20+02:00");
  REQUIRE(offset.ok());
  CHECK(*offset == at(0));
}

TEST_CASE("parse_time keeps microseconds and takes a space for the T", "[time]") {
  auto nanos = parse_time("2023-11-14T22:13:20.123456789Z");
  REQUIRE(nanos.ok());
  CHECK(*nanos == at(0) + std::chrono::microseconds(123456));
  auto spaced = parse_time("2023-11-14 22:13:20Z");
  REQUIRE(spaced.ok());
  CHECK(*spaced == at(0));
  CHECK_FALSE(parse_time("2023-11-14T22:13:20").ok());
  CHECK(parse_time("2023-13-14T22:13:20Z").error().message == "invalid RFC 3339 time 2023-13-14T22:13:20Z");
}
