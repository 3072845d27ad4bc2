// CRI log record parsing and partial-line joining (see cri_log.h).
#include "agent/api/cri_log.h"

namespace nodeagent::api {

std::optional<CriLogLine> parse_cri_line(std::string_view record) {
  CriLogLine line;
  auto next_field = [&record]() -> std::optional<std::string_view> {
    size_t space = record.find(' ');
    if (space == std::string_view::npos || space == 0) return std::nullopt;
    std::string_view field = record.substr(0, space);
    record.remove_prefix(space + 1);
    return field;
  };
  auto ts = next_field();
  if (!ts) return std::nullopt;
  auto stream = next_field();
  if (!stream || (*stream != "stdout" && *stream != "stderr")) return std::nullopt;
  // The tag may be the last field when the content is empty ("... stdout F").
  std::string_view tag;
  size_t space = record.find(' ');
  if (space == std::string_view::npos) {
    tag = record;
    record = {};
  } else {
    tag = record.substr(0, space);
    record.remove_prefix(space + 1);
  }
  // Tags are ':'-separated; the first says partial (P) or full (F).
  std::string_view kind = tag.substr(0, tag.find(':'));
  if (kind != "P" && kind != "F") return std::nullopt;
  line.timestamp = *ts;
  line.stream = *stream;
  line.partial = kind == "P";
  line.content = record;
  return line;
}

std::optional<std::string> CriLogFormatter::feed(std::string_view record) {
  auto line = parse_cri_line(record);
  if (!line) {
    // Not CRI: emit what is pending first, as its own line, then this record verbatim.
    std::string out;
    if (pending_) out = pending_text_ + "\n";
    pending_ = false;
    pending_text_.clear();
    return out + std::string(record) + "\n";
  }
  if (!pending_) {
    pending_text_.clear();
    // With --timestamps a joined line carries the time its first fragment was written.
    if (timestamps_) pending_text_.append(line->timestamp).append(" ");
    pending_ = true;
  }
  pending_text_.append(line->content);
  if (line->partial) return std::nullopt;
  pending_ = false;
  std::string out = std::move(pending_text_);
  pending_text_.clear();
  out.push_back('\n');
  return out;
}

std::optional<std::string> CriLogFormatter::flush() {
  if (!pending_) return std::nullopt;
  pending_ = false;
  std::string out = std::move(pending_text_);
  pending_text_.clear();
  out.push_back('\n');
  return out;
}

void TailBuffer::push(std::string line) {
  if (limit_ == 0) return;
  lines_.push_back(std::move(line));
  if (limit_ > 0 && static_cast<int64_t>(lines_.size()) > limit_) lines_.pop_front();
}

std::string TailBuffer::join() const {
  std::string out;
  for (const auto& l : lines_) out += l;
  return out;
}

}  // namespace nodeagent::api
