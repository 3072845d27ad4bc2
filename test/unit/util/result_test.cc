#include <catch2/catch.hpp>

#include "util/result.h"

using namespace nodeagent;

namespace {
Result<int> parse_port(int v) {
  if (v < 1 || v > 65535) return invalid("must be 1-65535");
  return v;
}
Result<int> doubled_port(int v) {
  NA_ASSIGN_OR_RETURN(int p, parse_port(v));
  return p * 2;
}
}  // namespace

TEST_CASE("Result carries a value or an error") {
  REQUIRE(parse_port(80).ok());
  CHECK(*parse_port(80) == 80);
  auto bad = parse_port(0);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalid);
  CHECK(bad.error().wrap("containerPort").message == "containerPort: must be 1-65535");
}

TEST_CASE("NA_ASSIGN_OR_RETURN propagates errors") {
  CHECK(*doubled_port(10) == 20);
  CHECK_FALSE(doubled_port(70000).ok());
}

TEST_CASE("errno_error maps errno to codes") {
  CHECK(errno_error("open x", ENOENT).code == ErrorCode::kNotFound);
  CHECK(errno_error("open x", ENOENT).message == "open x: No such file or directory");
}
