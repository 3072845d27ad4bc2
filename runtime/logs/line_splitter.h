// Cuts one output stream (bytes as they come out of a pipe) into log records the way
// containerd's CRI does: one record per line, the newline (and a '\r' before it) removed; a
// line longer than the maximum becomes partial records of exactly `max_line_size` bytes
// followed by the rest as a full record. Bytes without a newline wait for more input, and on
// end of stream they become a full record. Pure: no I/O.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "runtime/logs/cri_format.h"

namespace nodeagent::runtime::logs {

class LineSplitter {
 public:
  // emit(content, partial)
  using Emit = std::function<void(std::string_view content, bool partial)>;

  explicit LineSplitter(size_t max_line_size = kMaxLineSize) : max_line_size_(max_line_size) {}

  // Consumes `data`; emits every record it completes.
  void feed(std::string_view data, const Emit& emit);
  // End of stream: emits what is pending as a full record (nothing if nothing is pending).
  void finish(const Emit& emit);
  size_t pending_bytes() const { return pending_.size(); }

 private:
  void emit_line(std::string_view line, const Emit& emit);

  size_t max_line_size_;
  std::string pending_;  // start of a line whose newline has not arrived yet
};

}  // namespace nodeagent::runtime::logs
