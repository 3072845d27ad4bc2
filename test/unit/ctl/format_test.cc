// Tests of nodectl's human durations, ages, table layout and small helpers (the RFC 3339 parser
// is util's: test/unit/util/rfc3339_test.cc).
#include <catch2/catch.hpp>

#include "agent/ctl/format.h"
#include "util/rfc3339.h"

using namespace nodeagent::ctl;
using nodeagent::parse_rfc3339;
using namespace std::chrono_literals;

TEST_CASE("human_duration follows kubectl's HumanDuration") {
  CHECK(human_duration(-5s) == "<invalid>");
  CHECK(human_duration(-1s) == "0s");
  CHECK(human_duration(0s) == "0s");
  CHECK(human_duration(5s) == "5s");
  CHECK(human_duration(119s) == "119s");
  CHECK(human_duration(120s) == "2m");
  CHECK(human_duration(3min + 2s) == "3m2s");
  CHECK(human_duration(9min + 59s) == "9m59s");
  CHECK(human_duration(10min + 30s) == "10m");
  CHECK(human_duration(179min) == "179m");
  CHECK(human_duration(3h) == "3h");
  CHECK(human_duration(5h + 3min) == "5h3m");
  CHECK(human_duration(8h + 30min) == "8h");
  CHECK(human_duration(47h) == "47h");
  CHECK(human_duration(48h) == "2d");
  CHECK(human_duration(51h) == "2d3h");
  CHECK(human_duration(24h * 8) == "8d");
  CHECK(human_duration(24h * 365 * 2) == "2y");
  CHECK(human_duration(24h * (365 * 3 + 10)) == "3y10d");
  CHECK(human_duration(24h * 365 * 9) == "9y");
}

TEST_CASE("age_since prints <unknown> for missing or bad times") {
  auto now = *parse_rfc3339("2024-05-01T10:05:00Z");
  CHECK(age_since("2024-05-01T10:00:00Z", now) == "5m");
  CHECK(age_since(nullptr, now) == "<unknown>");
  CHECK(age_since("garbage", now) == "<unknown>");
}

TEST_CASE("render_table pads columns by 3 spaces and not after the last") {
  std::string t = render_table({"NAME", "STATUS"}, {{"web", "Running"}, {"database-0", "Pending"}});
  CHECK(t ==
        "NAME         STATUS\n"
        "web          Running\n"
        "database-0   Pending\n");
}

TEST_CASE("human_size matches crictl's go-units output") {
  CHECK(human_size(0) == "0B");
  CHECK(human_size(999) == "999B");
  CHECK(human_size(1000) == "1kB");
  CHECK(human_size(1234567) == "1.235MB");
  CHECK(human_size(4400000000) == "4.4GB");
}

TEST_CASE("split_repo_tag and short_id") {
  CHECK(split_repo_tag("docker.io/library/busybox:1.36") == std::pair<std::string, std::string>("docker.io/library/busybox", "1.36"));
  CHECK(split_repo_tag("localhost:5000/busybox") == std::pair<std::string, std::string>("localhost:5000/busybox", "<none>"));
  CHECK(split_repo_tag("localhost:5000/busybox:v1") == std::pair<std::string, std::string>("localhost:5000/busybox", "v1"));
  CHECK(split_repo_tag("busybox@sha256:abc").first == "busybox");
  CHECK(short_id("sha256:0123456789abcdef0123") == "0123456789abc");
  CHECK(short_id("deadbeef") == "deadbeef");
}
