// Reads a container's CRI log file for the Logs RPC: the last N lines, then (with follow) new
// lines as the file grows, across rotation (the path is re-opened when its inode changes) and
// truncation, until the caller cancels or the container has exited and the file is drained.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "agent/util/result.h"

namespace nodeagent::api {

struct LogReadOptions {
  bool follow = false;
  int64_t tail_lines = -1;  // < 0: all
  bool timestamps = false;
  std::chrono::milliseconds poll_interval{100};
  // How often `writer_active` is asked while following (it may cost a runtime call).
  std::chrono::milliseconds writer_check_interval{1000};
};

struct LogCallbacks {
  // Receives formatted output; returns false when the reader has gone away.
  std::function<bool(std::string_view)> sink;
  // Whether the container may still write to this log (running, same attempt).
  std::function<bool()> writer_active;
  // Whether to stop now (client cancelled, server stopping).
  std::function<bool()> cancelled;
};

// NotFound when the file does not exist and there is nothing to wait for.
Status stream_log(const std::string& path, const LogReadOptions& options, const LogCallbacks& callbacks);

}  // namespace nodeagent::api
