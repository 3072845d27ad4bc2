// $(VAR) expansion in env values, command and args, as kubelet does it
// (third_party/forked/golang/expansion):
//   - $(NAME) is replaced by NAME's value; an unknown NAME stays as written, "$(NAME)";
//   - $$ is an escaped '$': "$$(NAME)" yields the literal "$(NAME)";
//   - an unterminated "$(" and a '$' before any other character are kept as written.
// Env values see only the variables defined before them (envFrom, then earlier env entries),
// plus the service variables; command and args see the container's final environment.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodeagent::kube {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

std::string expand_vars(std::string_view input, const EnvLookup& lookup);
std::string expand_vars(std::string_view input, const std::map<std::string, std::string>& vars);  // unknown -> kept

// Expands each of command/args against the final environment.
std::vector<std::string> expand_vars(const std::vector<std::string>& inputs,
                                         const std::map<std::string, std::string>& vars);

// An env entry whose value is already resolved (literal, or from valueFrom when `expand` is
// false: values read from ConfigMaps, Secrets or the downward API are not expanded).
struct EnvEntry {
  std::string name;
  std::string value;
  bool expand = true;
};

// Builds a container's environment in order: `base` first (envFrom values; service variables
// should go in `fallback`), then each entry, expanded against what is defined so far (entries
// and base win over fallback). Later duplicates replace earlier values but keep the first
// position, as the runtime sees them. Returns NAME/value pairs in that order.
std::vector<std::pair<std::string, std::string>> build_environment(
    const std::vector<std::pair<std::string, std::string>>& base, const std::vector<EnvEntry>& entries,
    const std::map<std::string, std::string>& fallback = {});

}  // namespace nodeagent::kube
