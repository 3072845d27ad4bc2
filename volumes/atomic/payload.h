// What configMap, secret, downwardAPI and projected volumes write: relative path -> bytes and
// mode (kubelet's volumeutil.FileProjection).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace nodeagent::volumes {

struct FileProjection {
  std::string data;
  int32_t mode = 0644;
  friend bool operator==(const FileProjection&, const FileProjection&) = default;
};

using Payload = std::map<std::string, FileProjection>;

}  // namespace nodeagent::volumes
