// resource.Quantity parsing and canonical printing, against upstream's results.
#include <catch2/catch.hpp>

#include "kube/quantity.h"

using namespace nodeagent::kube;

TEST_CASE("quantities parse to milli-units and print canonically", "[quantity]") {
  struct Case {
    const char* text;
    int64_t milli;
    const char* canonical;
  };
  const Case cases[] = {
      {"250m", 250, "250m"},
      {"1.5", 1500, "1500m"},
      {"0.1", 100, "100m"},
      {"1000m", 1000, "1"},
      {"2", 2000, "2"},
      {"64Mi", 64LL * 1024 * 1024 * 1000, "64Mi"},
      {"1G", 1000LL * 1000 * 1000 * 1000, "1G"},
      {"1e3", 1000LL * 1000, "1e3"},
      {"12e6", 12LL * 1000 * 1000 * 1000, "12e6"},
      {"2048Ki", 2LL * 1024 * 1024 * 1000, "2Mi"},
      {"1.5Gi", 1536LL * 1024 * 1024 * 1000, "1536Mi"},
      {"0.5Ki", 512LL * 1000, "512"},
      {"1000k", 1000LL * 1000 * 1000, "1M"},
      {"100M", 100LL * 1000 * 1000 * 1000, "100M"},
      {"0", 0, "0"},
      {"-1", -1000, "-1"},
      {"+3", 3000, "3"},
      {"5P", 5LL * 1000 * 1000 * 1000 * 1000 * 1000 * 1000, "5P"},
      {"1n", 1, "1m"},                                            // below milli: rounded up
      {"1.", 1000, "1"},
      {".5", 500, "500m"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto q = parse_quantity(c.text);
    REQUIRE(q.ok());
    CHECK(q->milli == c.milli);
    CHECK(to_string(*q) == c.canonical);
  }
}

TEST_CASE("value() rounds up like Quantity.Value()", "[quantity]") {
  CHECK(parse_quantity("250m")->value() == 1);
  CHECK(parse_quantity("1.5")->value() == 2);
  CHECK(parse_quantity("2")->value() == 2);
  CHECK(parse_quantity("64Mi")->value() == 67108864);
}

TEST_CASE("malformed quantities are rejected with upstream's message", "[quantity]") {
  for (const char* bad : {"", "abc", "1.2.3", "1Zi", "1e", ".", "1 ", "+", "Mi", "1.5.Gi", "--1", "1mm", "0x10"}) {
    INFO(bad);
    auto q = parse_quantity(bad);
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().message ==
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }
}

TEST_CASE("quantities beyond int64 milli-units are rejected, not wrapped", "[quantity]") {
  auto q = parse_quantity("16Ei");
  REQUIRE_FALSE(q.ok());
  CHECK(q.error().message == "quantity too large: 16Ei");
  CHECK_FALSE(parse_quantity("1e30").ok());
  // "E" is the exa suffix (not an exponent): 1E is parsed, and too large for milli-units.
  CHECK(parse_quantity("1E").error().message == "quantity too large: 1E");
}

TEST_CASE("quantities compare by value, not by spelling", "[quantity]") {
  CHECK(*parse_quantity("1") == *parse_quantity("1000m"));
  CHECK(*parse_quantity("1Gi") > *parse_quantity("1G"));
  CHECK(*parse_quantity("500m") < *parse_quantity("0.6"));
}
