// `-o yaml`: a JSON value printed as block-style YAML, the way `kubectl -o yaml` shows objects.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nodeagent::ctl {

// Strings that a YAML 1.1 reader would take for something else ("true", "0400", "1.5", "",
// "null") are quoted, so the output reads back to the same JSON.
std::string to_yaml(const nlohmann::json& value);

}  // namespace nodeagent::ctl
