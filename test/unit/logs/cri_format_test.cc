// Unit tests: CRI timestamps and records.
#include <catch2/catch.hpp>

#include "runtime/logs/cri_format.h"

using namespace nodeagent::runtime::logs;
using std::chrono::nanoseconds;
using std::chrono::seconds;

namespace {
// 2026-11-25T07:34:13Z
const TimePoint kBase = TimePoint(std::chrono::duration_cast<TimePoint::duration>(seconds(1795592053)));
}  // namespace

TEST_CASE("format_timestamp writes Go's RFC3339Nano in UTC") {
  CHECK(format_timestamp(kBase) == "2026-11-25T07:34:13Z");
  CHECK(format_timestamp(kBase + nanoseconds(50'000'000)) == "2026-11-25T07:34:13.05Z");
  CHECK(format_timestamp(kBase + nanoseconds(123'456'789)) == "2026-11-25T07:34:13.123456789Z");
  CHECK(format_timestamp(kBase + nanoseconds(1)) == "2026-11-25T07:34:13.000000001Z");
  CHECK(format_timestamp_fixed(kBase + nanoseconds(50'000'000)) == "2026-11-25T07:34:13.050000000Z");
}

TEST_CASE("parse_timestamp reads what format_timestamp writes, and offsets") {
  for (auto ns : {0L, 1L, 50'000'000L, 123'456'789L}) {
    const TimePoint t = kBase + nanoseconds(ns);
    auto parsed = parse_timestamp(format_timestamp(t));
    REQUIRE(parsed.ok());
    CHECK(*parsed == t);
  }
  auto with_offset = parse_timestamp("2026-11-25T09:34:13.5+02:00");
  REQUIRE(with_offset.ok());
  CHECK(*with_offset == kBase + nanoseconds(500'000'000));
  CHECK_FALSE(parse_timestamp("2026-11-25 07:34:13Z").ok());
  CHECK_FALSE(parse_timestamp("2026-11-25T07:34:13").ok());
  CHECK_FALSE(parse_timestamp("2026-11-25T07:34:13.Z").ok());
}

TEST_CASE("records are formatted and parsed back") {
  std::string out;
  append_record(out, "2026-11-25T07:34:13.05Z", Stream::kStderr, true, "a  b ");
  CHECK(out == "2026-11-25T07:34:13.05Z stderr P a  b \n");
  auto record = parse_record(std::string_view(out).substr(0, out.size() - 1));
  REQUIRE(record.ok());
  CHECK(record->stream == Stream::kStderr);
  CHECK(record->partial);
  CHECK(record->content == "a  b ");
  CHECK(record->time == kBase + nanoseconds(50'000'000));

  auto empty = parse_record("2026-11-25T07:34:13Z stdout F ");
  REQUIRE(empty.ok());
  CHECK(empty->content.empty());
  CHECK_FALSE(empty->partial);

  CHECK_FALSE(parse_record("garbage").ok());
  CHECK_FALSE(parse_record("2026-11-25T07:34:13Z stdin F x").ok());
  CHECK_FALSE(parse_record("2026-11-25T07:34:13Z stdout X x").ok());
}
