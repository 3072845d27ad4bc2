// Label selectors: the equality-based map of Service.spec.selector, and the string syntax of
// `-l` / `labelSelector=` ("app=web,tier!=db,env in (a,b),!legacy,track").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

// Every key=value of `selector` is in `labels`. An empty selector matches everything (as
// labels.SelectorFromSet); a Service with an empty selector has no managed endpoints instead,
// which callers decide before asking.
bool selector_matches(const StringMap& selector, const StringMap& labels);

struct LabelRequirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Op op = Op::kEquals;
  std::vector<std::string> values;
};

struct LabelSelector {
  std::vector<LabelRequirement> requirements;  // all must hold
  bool matches(const StringMap& labels) const;
};

Result<LabelSelector> parse_label_selector(std::string_view text);

}  // namespace nodeagent::kube
