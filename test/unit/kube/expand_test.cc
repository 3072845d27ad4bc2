// $(VAR) expansion: upstream's expansion test table, and env ordering rules.
#include <catch2/catch.hpp>

#include "kube/expand.h"

using namespace nodeagent::kube;

TEST_CASE("expansion follows kubelet's rules", "[env]") {
  const std::map<std::string, std::string> vars = {
      {"VAR_A", "A"}, {"VAR_B", "B"}, {"VAR_C", "C"}, {"VAR_REF", "$(VAR_A)"}, {"VAR_EMPTY", ""}};
  const std::pair<const char*, const char*> cases[] = {
      {"$(VAR_A)", "A"},
      {"___$(VAR_B)___", "___B___"},
      {"$(VAR_A)-$(VAR_A)", "A-A"},
      {"f000-$$VAR_A", "f000-$VAR_A"},
      {"foo\\$(VAR_C)bar", "foo\\Cbar"},
      {"$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"},
      {"$(VAR_REF)", "$(VAR_A)"},  // values are not expanded again
      {"$(VAR_EMPTY)", ""},
      {"$(VAR_DNE)", "$(VAR_DNE)"},  // unknown: kept as written
      {"$$(VAR_A)", "$(VAR_A)"},     // escaped
      {"$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"},
      {"$$$$$$(VAR_A)", "$$$(VAR_A)"},
      {"$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"},
      {"$$$$$$$(VAR_A)", "$$$A"},
      {"$VAR_A", "$VAR_A"},
      {"$(VAR_A", "$(VAR_A"},  // unterminated
      {"$", "$"},
      {"$$", "$"},
      {"$(", "$("},
      {"$()", "$()"},
      {"$(VAR_A)$$", "A$"},
      {"no refs", "no refs"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) {
    INFO(in);
    CHECK(expand_vars(in, vars) == out);
  }
}

TEST_CASE("env entries see only earlier variables", "[env]") {
  auto env = build_environment({{"FROM_CM", "cm"}},
                               {{"A", "1"},
                                {"B", "$(A)-$(FROM_CM)", true},
                                {"C", "$(D)", true},
                                {"D", "4", true},
                                {"E", "$$(A)", true},
                                {"SECRET", "$(A)", false},  // from a Secret: never expanded
                                {"S", "$(SVC_HOST)", true}},
                               {{"SVC_HOST", "10.96.0.1"}, {"A", "fallback loses"}});
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"FROM_CM", "cm"}, {"A", "1"}, {"B", "1-cm"}, {"C", "$(D)"}, {"D", "4"},
      {"E", "$(A)"},     {"SECRET", "$(A)"}, {"S", "10.96.0.1"}};
  CHECK(env == expected);
}

TEST_CASE("a redefined variable keeps its first position and takes the last value", "[env]") {
  auto env = build_environment({{"X", "from-cm"}}, {{"Y", "$(X)"}, {"X", "override"}, {"Z", "$(X)"}});
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"X", "override"}, {"Y", "from-cm"}, {"Z", "override"}};
  CHECK(env == expected);
}

TEST_CASE("command and args expand against the final environment", "[env]") {
  std::map<std::string, std::string> env = {{"PORT", "8080"}, {"NAME", "web"}};
  CHECK(expand_vars(std::vector<std::string>{"--port=$(PORT)", "$(NAME)", "$$(PORT)", "$(MISSING)"}, env) ==
        std::vector<std::string>{"--port=8080", "web", "$(PORT)", "$(MISSING)"});
}
