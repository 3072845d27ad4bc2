// Streams one container's CRI log to a sink as `nodectl logs` and `kubectl logs` (the node API's
// /containerLogs) both want it: the attempt's file (or the previous one), the reader's tail /
// since / timestamps options, and with follow, waiting for a file not written yet and stopping
// once the container stopped and its last lines are out (FollowPolicy). One implementation for
// the local gRPC API and the node API.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "agent/api/backend.h"
#include "runtime/logs/log_reader.h"
#include "util/result.h"

namespace nodeagent::api {

struct LogStreamRequest {
  std::string pod;        // as AgentBackend::log_location takes it ("ns/name", name, UID prefix)
  std::string container;  // "" = the only one
  bool previous = false;
  runtime::logs::ReadOptions options;
};

// `sink` gets whole lines and returns false when the client is gone; `caught_up` runs whenever
// the reader has caught up with the file (flush batches there) and returns false to stop;
// `cancelled` is polled while following. NotFound when the pod, container or log is missing.
Status stream_container_log(AgentBackend& backend, const LogStreamRequest& request,
                            const runtime::logs::LogSink& sink, const std::function<bool()>& caught_up,
                            const std::function<bool()>& cancelled);

}  // namespace nodeagent::api
