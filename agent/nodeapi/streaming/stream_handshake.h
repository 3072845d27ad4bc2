// The SPDY/3.1 upgrade of kubelet's streaming endpoints (k8s.io/streaming httpstream.Handshake
// and spdy.responseUpgrader): the client lists the subprotocols it speaks in
// X-Stream-Protocol-Version (several headers or comma-separated); the first of the client's
// that the server also speaks wins and is echoed in the 101. No match: 403 with the server's
// list in X-Accepted-Stream-Protocol-Versions. The request must carry `Connection: Upgrade` and
// `Upgrade: SPDY/3.1`.
#pragma once

#include <string>
#include <vector>

#include "agent/nodeapi/streaming/stream_request.h"

namespace nodeagent::nodeapi::streaming {

// remotecommand's SPDY subprotocols, newest first (v5 is WebSocket only).
inline const std::vector<std::string>& remote_command_protocols() {
  static const std::vector<std::string> p = {"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
                                             "channel.k8s.io"};
  return p;
}
inline const std::vector<std::string>& port_forward_protocols() {
  static const std::vector<std::string> p = {"portforward.k8s.io"};
  return p;
}

struct Handshake {
  StreamReply reply;     // 101 (with the headers to send) or the refusal
  std::string protocol;  // the negotiated subprotocol when reply.upgrade()
};

// Whether the request asks for an upgrade to SPDY/3.1 at all (WebSocket requests do not).
bool is_spdy_upgrade(const StreamRequest& req);

Handshake spdy_handshake(const StreamRequest& req, const std::vector<std::string>& server_protocols);

}  // namespace nodeagent::nodeapi::streaming
