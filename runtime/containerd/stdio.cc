// Binary logging URIs (see stdio.h).
#include "runtime/containerd/stdio.h"

#include <cctype>
#include <filesystem>

#include <fmt/format.h>

namespace nodeagent::runtime::ctd {

std::string percent_encode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string binary_log_uri(const std::string& logger_path, const std::string& log_path,
                           int64_t max_size_bytes, int max_files) {
  return fmt::format("binary://{}?path={}&max-size={}&max-files={}", percent_encode(logger_path),
                     percent_encode(log_path), max_size_bytes, max_files);
}

std::string default_logger_path() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "/usr/lib/nodeagent/nodeagent-logger";
  return (exe.parent_path() / "nodeagent-logger").string();
}

}  // namespace nodeagent::runtime::ctd
