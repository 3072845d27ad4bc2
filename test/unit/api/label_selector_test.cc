// Tests of the label selector grammar and matching (=, ==, !=, in, notin, exists, !key).
#include <catch2/catch.hpp>

#include "agent/api/label_selector.h"

using nodeagent::api::LabelSelector;
using Labels = std::map<std::string, std::string>;

namespace {
bool matches(const std::string& selector, const Labels& labels) {
  auto s = LabelSelector::parse(selector);
  REQUIRE(s.ok());
  return s->matches(labels);
}
}  // namespace

TEST_CASE("the empty selector matches everything") {
  CHECK(matches("", {}));
  CHECK(matches("   ", {{"app", "web"}}));
  CHECK(LabelSelector::parse("")->empty());
}

TEST_CASE("equality and inequality") {
  Labels web{{"app", "web"}, {"tier", "front"}};
  CHECK(matches("app=web", web));
  CHECK(matches("app==web", web));
  CHECK_FALSE(matches("app=db", web));
  CHECK(matches("tier!=db", web));
  CHECK_FALSE(matches("tier!=front", web));
  // As upstream: a missing key satisfies != and notin.
  CHECK(matches("env!=prod", web));
  CHECK_FALSE(matches("env=prod", web));
  CHECK(matches("app=web,tier=front", web));
  CHECK_FALSE(matches("app=web,tier=back", web));
  CHECK(matches("note=", {{"note", ""}}));
}

TEST_CASE("set-based requirements and existence") {
  Labels l{{"env", "prod"}, {"app.kubernetes.io/name", "web"}};
  CHECK(matches("env in (prod,staging)", l));
  CHECK(matches("env in ( staging , prod )", l));
  CHECK_FALSE(matches("env in (dev)", l));
  CHECK(matches("env notin (dev,qa)", l));
  CHECK_FALSE(matches("env notin (prod)", l));
  CHECK(matches("missing notin (x)", l));
  CHECK(matches("env", l));
  CHECK_FALSE(matches("canary", l));
  CHECK(matches("!canary", l));
  CHECK_FALSE(matches("!env", l));
  CHECK(matches("app.kubernetes.io/name=web, env in (prod), !canary", l));
}

TEST_CASE("the parsed requirements are what the text says") {
  auto s = LabelSelector::parse("a=1,b!=2,c in (x,y),d notin (z),e,!f");
  REQUIRE(s.ok());
  using Op = nodeagent::api::LabelRequirement::Op;
  const auto& r = s->requirements();
  REQUIRE(r.size() == 6);
  CHECK(r[0].op == Op::kEquals);
  CHECK(r[1].op == Op::kNotEquals);
  CHECK(r[2].op == Op::kIn);
  CHECK(r[2].values == std::vector<std::string>{"x", "y"});
  CHECK(r[3].op == Op::kNotIn);
  CHECK(r[4].op == Op::kExists);
  CHECK(r[5].op == Op::kDoesNotExist);
  CHECK(r[5].key == "f");
}

TEST_CASE("malformed selectors are kInvalid errors that quote the selector") {
  for (const char* bad : {"app=web,", "=web", "app in prod", "app in (a,b", "app ~ web", "app=we$b", "!", "a b"}) {
    INFO(bad);
    auto s = LabelSelector::parse(bad);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == nodeagent::ErrorCode::kInvalid);
    CHECK(s.error().message.find(std::string("\"") + bad + "\"") != std::string::npos);
  }
}
