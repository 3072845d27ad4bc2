// The seam to the node API server (agent/nodeapi/routes.h): registers kubelet's streaming
// endpoints on its Router — /exec/, /attach/ and /portForward/ as Upgrade handlers (accept
// answers before the 101, serve owns the upgraded stream), /run/ as a simple handler.
// Authentication and authorization (nodes/proxy) happen in the server before these are called.
#pragma once

#include "agent/nodeapi/routes.h"
#include "agent/nodeapi/streaming/streaming_endpoints.h"

namespace nodeagent::nodeapi::streaming {

// `endpoints` must outlive the router's server.
void add_streaming_routes(Router& router, StreamingEndpoints& endpoints);

// The request as the streaming endpoints see it.
StreamRequest to_stream_request(const HttpRequest& req);

}  // namespace nodeagent::nodeapi::streaming
