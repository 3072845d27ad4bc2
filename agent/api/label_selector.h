// Kubernetes label selectors as text ("app=web,tier!=db,env in (a,b),!canary"), parsed once and
// matched against an object's labels. Used by ListPods; the grammar follows
// k8s.io/apimachinery/pkg/labels: =, ==, !=, in, notin, key (exists), !key (does not exist).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/util/result.h"

namespace nodeagent::api {

struct LabelRequirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;  // one for = and !=, the set for in/notin, none otherwise

  bool matches(const std::map<std::string, std::string>& labels) const;
};

class LabelSelector {
 public:
  // The empty selector matches everything. Errors are kInvalid and quote the selector.
  static Result<LabelSelector> parse(std::string_view text);

  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<LabelRequirement> requirements_;
};

}  // namespace nodeagent::api
