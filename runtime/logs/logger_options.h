// Arguments of nodeagent-logger. containerd 1.6's shim (pkg/process/io_util.go, NewBinaryCmd)
// turns the query of `binary:///path/to/nodeagent-logger?path=/x/0.log&max-size=10Mi&max-files=5`
// into argv pairs in Go map order: `path /x/0.log max-size 10Mi max-files 5` (any order, keys
// exactly as in the query). "--key value" and "--key=value" are accepted too, for humans.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"
#include "runtime/logs/rotating_writer.h"

namespace nodeagent::runtime::logs {

struct LoggerOptions {
  std::string path;           // required: the CRI log file
  RotationPolicy rotation;
  size_t max_line_size = 16 * 1024;
};

// `args` excludes argv[0].
Result<LoggerOptions> parse_logger_args(const std::vector<std::string>& args);

// "10485760", "10Mi", "10M", "512Ki", "1Gi" -> bytes.
Result<int64_t> parse_size(const std::string& text);

}  // namespace nodeagent::runtime::logs
