// Label selector matching and parsing (k8s.io/apimachinery/pkg/labels, the common subset).
#include "kube/selector.h"

#include <algorithm>
#include <cctype>

#include "kube/field_error.h"
#include "kube/names.h"

namespace nodeagent::kube {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits at commas that are not inside parentheses.
std::vector<std::string_view> split_requirements(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

Status check_key(std::string_view key, std::string_view whole) {
  auto msgs = is_qualified_name(key);
  if (msgs.empty()) return ok_status();
  return invalid("invalid label selector " + quote(std::string(whole)) + ": key " + quote(std::string(key)) + ": " + msgs[0]);
}

Status check_value(std::string_view value, std::string_view whole) {
  auto msgs = is_valid_label_value(value);
  if (msgs.empty()) return ok_status();
  return invalid("invalid label selector " + quote(std::string(whole)) + ": value " + quote(std::string(value)) + ": " + msgs[0]);
}

Result<LabelRequirement> parse_requirement(std::string_view part, std::string_view whole) {
  LabelRequirement r;
  part = trim(part);
  if (part.empty()) return invalid("invalid label selector " + quote(std::string(whole)) + ": empty requirement");
  if (part[0] == '!') {
    r.key = std::string(trim(part.substr(1)));
    r.op = LabelRequirement::Op::kDoesNotExist;
    NA_RETURN_IF_ERROR(check_key(r.key, whole));
    return r;
  }
  if (auto pos = part.find("!="); pos != std::string_view::npos) {
    r.key = std::string(trim(part.substr(0, pos)));
    r.op = LabelRequirement::Op::kNotEquals;
    r.values = {std::string(trim(part.substr(pos + 2)))};
  } else if (auto eq = part.find('='); eq != std::string_view::npos) {
    r.key = std::string(trim(part.substr(0, eq)));
    size_t value_start = eq + 1;
    if (value_start < part.size() && part[value_start] == '=') ++value_start;
    r.op = LabelRequirement::Op::kEquals;
    r.values = {std::string(trim(part.substr(value_start)))};
  } else if (auto open = part.find('('); open != std::string_view::npos) {
    std::string_view head = trim(part.substr(0, open));
    if (part.back() != ')') return invalid("invalid label selector " + quote(std::string(whole)) + ": missing ')'");
    auto space = head.find_last_of(" \t");
    if (space == std::string_view::npos) return invalid("invalid label selector " + quote(std::string(whole)) + ": expected 'in' or 'notin'");
    std::string_view op = head.substr(space + 1);
    r.key = std::string(trim(head.substr(0, space)));
    if (op == "in") r.op = LabelRequirement::Op::kIn;
    else if (op == "notin") r.op = LabelRequirement::Op::kNotIn;
    else return invalid("invalid label selector " + quote(std::string(whole)) + ": unknown operator " + quote(std::string(op)));
    std::string_view values = part.substr(open + 1, part.size() - open - 2);
    size_t start = 0;
    while (start <= values.size()) {
      size_t comma = values.find(',', start);
      if (comma == std::string_view::npos) comma = values.size();
      std::string_view v = trim(values.substr(start, comma - start));
      if (!v.empty()) r.values.emplace_back(v);
      start = comma + 1;
    }
  } else {
    r.key = std::string(part);
    r.op = LabelRequirement::Op::kExists;
  }
  NA_RETURN_IF_ERROR(check_key(r.key, whole));
  for (const auto& v : r.values) NA_RETURN_IF_ERROR(check_value(v, whole));
  return r;
}

}  // namespace

bool selector_matches(const StringMap& selector, const StringMap& labels) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

bool LabelSelector::matches(const StringMap& labels) const {
  for (const auto& r : requirements) {
    auto it = labels.find(r.key);
    const bool present = it != labels.end();
    const bool in_values = present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    switch (r.op) {
      case LabelRequirement::Op::kEquals:
      case LabelRequirement::Op::kIn:
        if (!in_values) return false;
        break;
      case LabelRequirement::Op::kNotEquals:
      case LabelRequirement::Op::kNotIn:
        if (in_values) return false;  // absent keys match, as upstream
        break;
      case LabelRequirement::Op::kExists:
        if (!present) return false;
        break;
      case LabelRequirement::Op::kDoesNotExist:
        if (present) return false;
        break;
    }
  }
  return true;
}

Result<LabelSelector> parse_label_selector(std::string_view text) {
  LabelSelector selector;
  if (trim(text).empty()) return selector;
  for (std::string_view part : split_requirements(text)) {
    NA_ASSIGN_OR_RETURN(LabelRequirement r, parse_requirement(part, text));
    selector.requirements.push_back(std::move(r));
  }
  return selector;
}

}  // namespace nodeagent::kube
