// The resize stream of remotecommand (v3 on): a sequence of JSON objects
// {"Width":W,"Height":H}, one per terminal size change, as they come.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodeagent::nodeapi::streaming {

struct TerminalSizeEvent {
  uint16_t width = 0;
  uint16_t height = 0;
};

class TerminalSizeDecoder {
 public:
  // Adds bytes; returns every size that became complete. A malformed object is skipped.
  std::vector<TerminalSizeEvent> feed(std::string_view bytes);

 private:
  std::string buf_;
};

}  // namespace nodeagent::nodeapi::streaming
