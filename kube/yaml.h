// Manifest text (YAML or JSON, one or many documents) -> JSON values, reading YAML the way
// Kubernetes does (go-yaml v2 through sigs.k8s.io/yaml, i.e. YAML 1.1 scalars): unquoted 0400 is
// octal 256, yes/no/on/off/y/n are booleans, ~ is null, 1e3 is a number, quoted scalars stay
// strings. And the way back: JSON -> YAML text as `kubectl -o yaml` prints it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace nodeagent::kube {

// Splits and parses every document. Empty documents (a lone `---`, comments only) are skipped,
// as kubectl does. JSON text (starting with '{' or '[') is parsed as JSON. A `kind: List`
// document is NOT flattened here (decode_manifests does that). Errors carry line and column.
Result<std::vector<nlohmann::json>> parse_documents(std::string_view text);

// How go-yaml v2 resolves one plain (unquoted) scalar: null, bool, integer, float or string.
nlohmann::json resolve_plain_scalar(const std::string& text);

// Block-style YAML of a JSON value; strings that YAML 1.1 would read as something else
// ("0400", "yes", "1.5", "") are single-quoted so that they read back as strings.
std::string to_yaml(const nlohmann::json& value);

}  // namespace nodeagent::kube
