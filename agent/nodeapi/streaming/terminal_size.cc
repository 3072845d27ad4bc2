#include "agent/nodeapi/streaming/terminal_size.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace nodeagent::nodeapi::streaming {
namespace {

// Go's decoder matches field names case-insensitively; so do we.
std::optional<uint16_t> field(const nlohmann::json& j, const char* lower_name) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string k = it.key();
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
    if (k == lower_name && it->is_number_unsigned() && it->get<uint64_t>() <= 0xffff) return it->get<uint16_t>();
  }
  return std::nullopt;
}

}  // namespace

std::vector<TerminalSizeEvent> TerminalSizeDecoder::feed(std::string_view bytes) {
  buf_.append(bytes);
  std::vector<TerminalSizeEvent> out;
  while (true) {
    size_t open = buf_.find('{');
    if (open == std::string::npos) {
      buf_.clear();
      break;
    }
    size_t close = buf_.find('}', open);  // the objects are flat: no nested braces
    if (close == std::string::npos) {
      buf_.erase(0, open);
      if (buf_.size() > 4096) buf_.clear();  // garbage that never closes
      break;
    }
    auto j = nlohmann::json::parse(buf_.substr(open, close - open + 1), nullptr, false);
    buf_.erase(0, close + 1);
    if (j.is_discarded() || !j.is_object()) continue;
    TerminalSizeEvent e;
    e.width = field(j, "width").value_or(0);
    e.height = field(j, "height").value_or(0);
    out.push_back(e);
  }
  return out;
}

}  // namespace nodeagent::nodeapi::streaming
