// CRI log lines ("<RFC3339Nano> <stdout|stderr> <P|F> <content>") turned into what a user reads:
// the prefix stripped (or only the timestamp kept), partial "P" fragments joined into one line.
// Pure functions over text; the file handling (tail, follow, rotation) is in log_follower.h.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace nodeagent::api {

struct CriLogLine {
  std::string_view timestamp;
  std::string_view stream;   // stdout | stderr
  bool partial = false;      // tag P: the line continues in the next record
  std::string_view content;
};

// Splits one record (without its '\n'); nullopt when it is not in CRI format.
std::optional<CriLogLine> parse_cri_line(std::string_view record);

// Feeds records, yields user-visible lines (each ending in '\n'). Records that are not in CRI
// format are passed through as they are, so a foreign file is still readable.
class CriLogFormatter {
 public:
  explicit CriLogFormatter(bool timestamps) : timestamps_(timestamps) {}

  // Returns the completed line, or nullopt while a partial line is pending.
  std::optional<std::string> feed(std::string_view record);
  // The pending partial line, if any (at the end of the log).
  std::optional<std::string> flush();

 private:
  bool timestamps_;
  bool pending_ = false;
  std::string pending_text_;
};

// Keeps the last `limit` lines fed to it (limit < 0: all).
class TailBuffer {
 public:
  explicit TailBuffer(int64_t limit) : limit_(limit) {}
  void push(std::string line);
  std::string join() const;

 private:
  int64_t limit_;
  std::deque<std::string> lines_;
};

}  // namespace nodeagent::api
