// Kubernetes' $(VAR) expansion (see expand.h for the rules).
#include "kube/expand.h"

namespace nodeagent::kube {

std::string expand_vars(std::string_view input, const EnvLookup& lookup) {
  std::string out;
  size_t checkpoint = 0;
  for (size_t cursor = 0; cursor < input.size(); ++cursor) {
    if (input[cursor] != '$' || cursor + 1 >= input.size()) continue;
    out.append(input.substr(checkpoint, cursor - checkpoint));
    std::string_view rest = input.substr(cursor + 1);
    size_t advance = 1;
    if (rest[0] == '$') {
      out += '$';  // "$$" -> "$"
    } else if (rest[0] == '(') {
      size_t close = rest.find(')', 1);
      if (close == std::string_view::npos) {
        out += "$(";  // unterminated: kept as written
      } else {
        std::string_view name = rest.substr(1, close - 1);
        auto value = lookup(name);
        if (value) {
          out += *value;
        } else {
          out += "$(";
          out.append(name);
          out += ')';
        }
        advance = close + 1;
      }
    } else {
      out += '$';
      out += rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  if (checkpoint < input.size()) out.append(input.substr(checkpoint));
  return out;
}

std::string expand_vars(std::string_view input, const std::map<std::string, std::string>& vars) {
  return expand_vars(input, [&](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

std::vector<std::string> expand_vars(const std::vector<std::string>& inputs,
                                         const std::map<std::string, std::string>& vars) {
  std::vector<std::string> out;
  out.reserve(inputs.size());
  for (const auto& s : inputs) out.push_back(expand_vars(s, vars));
  return out;
}

std::vector<std::pair<std::string, std::string>> build_environment(
    const std::vector<std::pair<std::string, std::string>>& base, const std::vector<EnvEntry>& entries,
    const std::map<std::string, std::string>& fallback) {
  std::vector<std::pair<std::string, std::string>> ordered;
  std::map<std::string, size_t> position;
  auto set = [&](const std::string& name, std::string value) {
    auto it = position.find(name);
    if (it != position.end()) {
      ordered[it->second].second = std::move(value);
    } else {
      position[name] = ordered.size();
      ordered.emplace_back(name, std::move(value));
    }
  };
  for (const auto& [name, value] : base) set(name, value);
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = position.find(std::string(name));
    if (it != position.end()) return ordered[it->second].second;
    auto f = fallback.find(std::string(name));
    if (f != fallback.end()) return f->second;
    return std::nullopt;
  };
  for (const auto& e : entries) set(e.name, e.expand ? expand_vars(e.value, lookup) : e.value);
  return ordered;
}

}  // namespace nodeagent::kube
