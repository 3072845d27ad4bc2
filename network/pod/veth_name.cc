#include "network/pod/veth_name.h"

#include <cstdint>
#include <cstdio>

namespace nodeagent::network {

namespace {
constexpr const char* kPrefix = "veth";
constexpr size_t kHexDigits = 11;
}  // namespace

std::string veth_name_for_pod(const std::string& pod_uid) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : pod_uid) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return kPrefix + std::string(hex, kHexDigits);
}

bool is_pod_veth_name(const std::string& name) {
  if (name.size() != 4 + kHexDigits || name.rfind(kPrefix, 0) != 0) return false;
  for (size_t i = 4; i < name.size(); ++i) {
    const char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace nodeagent::network
