// LineSplitter: pipe bytes to CRI records (see line_splitter.h).
#include "runtime/logs/line_splitter.h"

namespace nodeagent::runtime::logs {

void LineSplitter::emit_line(std::string_view line, const Emit& emit) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  while (line.size() > max_line_size_) {
    emit(line.substr(0, max_line_size_), true);
    line.remove_prefix(max_line_size_);
  }
  emit(line, false);
}

void LineSplitter::feed(std::string_view data, const Emit& emit) {
  while (!data.empty()) {
    const size_t newline = data.find('\n');
    if (newline == std::string_view::npos) {
      pending_.append(data);
      // A line that has outgrown the maximum without a newline: its full-size pieces can go
      // out now as partials, so memory stays bounded whatever the container writes.
      while (pending_.size() > max_line_size_) {
        emit(std::string_view(pending_).substr(0, max_line_size_), true);
        pending_.erase(0, max_line_size_);
      }
      return;
    }
    if (pending_.empty()) {
      emit_line(data.substr(0, newline), emit);
    } else {
      pending_.append(data.substr(0, newline));
      emit_line(pending_, emit);
      pending_.clear();
    }
    data.remove_prefix(newline + 1);
  }
}

void LineSplitter::finish(const Emit& emit) {
  if (pending_.empty()) return;
  emit_line(pending_, emit);
  pending_.clear();
}

}  // namespace nodeagent::runtime::logs
