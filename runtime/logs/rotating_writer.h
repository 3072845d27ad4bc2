// Appends to a log file and rotates it by size: when the next write would take the file past
// `max_size`, `path` becomes `path.1` (`path.1` becomes `path.2`, ...), at most `max_files`
// files are kept in all (the oldest is deleted), and a new `path` is started. Writes are
// buffered in memory and go to the file in big chunks; a record is never split across files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent::runtime::logs {

struct RotationPolicy {
  int64_t max_size = 10 * 1024 * 1024;  // bytes per file; <= 0: never rotate
  int max_files = 5;                    // files kept including the current one; min 1
};

// The name of the n-th rotated file: rotated_name("0.log", 2) == "0.log.2"; n == 0 is `path`.
std::string rotated_name(const std::string& path, int n);

class RotatingWriter {
 public:
  RotatingWriter(std::string path, RotationPolicy policy);
  ~RotatingWriter();
  RotatingWriter(const RotatingWriter&) = delete;
  RotatingWriter& operator=(const RotatingWriter&) = delete;

  // Opens (appending to an existing file, e.g. after the logger was restarted).
  Status open();
  // Buffers one or more whole records; writes through when the buffer is large.
  Status append(std::string_view records);
  // Writes the buffer to the file.
  Status flush();
  int64_t rotations() const { return rotations_; }

 private:
  Status rotate();
  Status write_all(std::string_view data);

  const std::string path_;
  const RotationPolicy policy_;
  int fd_ = -1;
  int64_t file_size_ = 0;   // bytes in the file, including what is still in buffer_
  int64_t rotations_ = 0;
  std::string buffer_;
};

}  // namespace nodeagent::runtime::logs
