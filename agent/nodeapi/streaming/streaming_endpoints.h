// kubelet's streaming endpoints over SPDY/3.1, as the API server reaches them for kubectl exec,
// attach, port-forward (and /run): the checks and handshake before the 101 (accept), then the
// protocol over the upgraded connection (serve). Stateless between the two calls: serve looks
// the request up again.
//
// The API server translates kubectl's WebSocket (v5.channel.k8s.io) to SPDY for nodes that do
// not declare the ExtendWebSocketsToKubelet feature, so SPDY is what reaches the node; a
// WebSocket upgrade is refused with 400.
#pragma once

#include <chrono>

#include "agent/nodeapi/byte_stream.h"
#include "agent/nodeapi/streaming/stream_request.h"
#include "agent/nodeapi/streaming/streaming_backend.h"

namespace nodeagent::nodeapi::streaming {

struct StreamingOptions {
  // How long the client has to open its streams after the upgrade (kubelet's 30 s).
  std::chrono::milliseconds stream_creation_timeout{std::chrono::seconds(30)};
};

class StreamingEndpoints {
 public:
  explicit StreamingEndpoints(StreamingBackend& backend, StreamingOptions options = {})
      : backend_(backend), options_(options) {}

  // GET/POST /exec/..., /attach/..., /portForward/...: 101 with its headers, or the refusal
  // (404 unknown path, pod or container; 400 bad options or not an upgrade; 403 no common
  // subprotocol).
  StreamReply accept(const StreamRequest& req);
  // After the 101 went out: speaks the protocol over `io` until the session ends.
  void serve(const StreamRequest& req, ByteStream& io);
  // POST /run/{ns}/{pod}[/{uid}]/{container}?cmd=...: runs cmd (split on spaces, as kubelet
  // does) and answers 200 with stdout then stderr.
  StreamReply run(const StreamRequest& req);

 private:
  struct Resolved;
  // The target of the request, or the refusal to send.
  std::variant<Resolved, StreamReply> resolve(const StreamRequest& req);
  void serve_remote_command(const Resolved& r, ByteStream& io);
  void serve_port_forward(const Resolved& r, ByteStream& io);

  StreamingBackend& backend_;
  StreamingOptions options_;
};

}  // namespace nodeagent::nodeapi::streaming
