// GET /containerLogs/{namespace}/{pod}/{container}: kubelet's getContainerLogs, with its query
// parameters (follow, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes, previous),
// streamed through agent/api's log streaming (the same reader and follow as `nodectl logs`).
#pragma once

#include <chrono>

#include "agent/api/backend.h"
#include "agent/nodeapi/routes.h"

namespace nodeagent::nodeapi {

Route container_logs_route(api::AgentBackend& backend,
                           std::chrono::milliseconds poll_interval = std::chrono::milliseconds(100));

}  // namespace nodeagent::nodeapi
