// validate_payload_path / clean_payload_path (see payload_path.h).
#include "volumes/atomic/payload_path.h"

#include <filesystem>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace nodeagent::volumes {

namespace {

constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxFileNameLength = 255;

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream in(path);
  while (std::getline(in, item, '/')) items.push_back(item);
  return items;
}

}  // namespace

Status validate_payload_path(const std::string& path) {
  if (path.empty()) return invalid("invalid path: must not be empty: \"\"");
  if (path.front() == '/') return invalid("invalid path: must be relative path: " + path);
  if (path.size() > kMaxPathLength)
    return invalid(fmt::format("invalid path: must be less than or equal to {} characters", kMaxPathLength));
  auto items = split(path);
  for (const auto& item : items) {
    if (item == "..") return invalid("invalid path: must not contain '..': " + path);
    if (item.size() > kMaxFileNameLength)
      return invalid(fmt::format("invalid path: filenames must be less than or equal to {} characters",
                                 kMaxFileNameLength));
  }
  if (!items.empty() && items[0].rfind("..", 0) == 0 && items[0].size() > 2)
    return invalid("invalid path: must not start with '..': " + path);
  return ok_status();
}

std::string clean_payload_path(const std::string& path) {
  auto clean = std::filesystem::path(path).lexically_normal().string();
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  return clean;
}

}  // namespace nodeagent::volumes
