// A short description of a configMap or secret volume source (object, items, modes, optional,
// fsGroup), so that PayloadWriter can tell an immutable object's unchanged volume.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"

namespace nodeagent::volumes {

inline std::string source_key(const std::string& kind, const std::string& name,
                              const std::vector<kube::KeyToPath>& items, int32_t default_mode, bool optional,
                              const std::optional<int64_t>& fs_group) {
  std::string key = kind + "/" + name + "/" + std::to_string(default_mode) + (optional ? "/opt" : "/req") + "/" +
                    (fs_group ? std::to_string(*fs_group) : "-");
  for (const auto& i : items)
    key += "\n" + i.key + "\t" + i.path + "\t" + (i.mode ? std::to_string(*i.mode) : "-");
  return key;
}

}  // namespace nodeagent::volumes
