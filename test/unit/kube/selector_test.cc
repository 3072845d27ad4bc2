// Label selectors: Service selector maps and the string syntax.
#include <catch2/catch.hpp>

#include "kube/selector.h"

using namespace nodeagent::kube;

TEST_CASE("service selectors match on every pair", "[selector]") {
  StringMap labels = {{"app", "web"}, {"tier", "frontend"}};
  CHECK(selector_matches({{"app", "web"}}, labels));
  CHECK(selector_matches({{"app", "web"}, {"tier", "frontend"}}, labels));
  CHECK_FALSE(selector_matches({{"app", "web"}, {"tier", "backend"}}, labels));
  CHECK_FALSE(selector_matches({{"env", "prod"}}, labels));
  CHECK(selector_matches({}, labels));
}

TEST_CASE("string selectors parse and match", "[selector]") {
  StringMap labels = {{"app", "web"}, {"tier", "frontend"}, {"env", "prod"}};
  struct Case {
    const char* selector;
    bool matches;
  };
  const Case cases[] = {
      {"", true},
      {"app=web", true},
      {"app==web", true},
      {"app = web , tier=frontend", true},
      {"app!=web", false},
      {"app!=db", true},
      {"missing!=x", true},  // absent keys satisfy !=
      {"env in (prod, staging)", true},
      {"env in (staging)", false},
      {"env notin (staging,dev)", true},
      {"tier", true},
      {"!tier", false},
      {"!legacy", true},
      {"app=web,env in (prod),!legacy,tier", true},
      {"app=web,env in (dev),tier", false},
      {"example.com/team=a", false},
  };
  for (const auto& c : cases) {
    INFO(c.selector);
    auto s = parse_label_selector(c.selector);
    REQUIRE(s.ok());
    CHECK(s->matches(labels) == c.matches);
  }
}

TEST_CASE("bad selectors are rejected", "[selector]") {
  for (const char* bad : {"app=web,", "a b", "env in (prod", "env within (a)", "-app=web", "app=-web", "=x"}) {
    INFO(bad);
    CHECK_FALSE(parse_label_selector(bad).ok());
  }
}
