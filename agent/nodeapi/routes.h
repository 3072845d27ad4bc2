// The node API's routing table: a path prefix (or exact path) to one of three kinds of handler.
//   - Simple: computes a whole response (healthz, pods, stats, metrics), on the server's pool.
//   - Streaming: writes a chunked response as it goes (containerLogs), on a thread of its own so
//     a long follow never holds a pool thread.
//   - Upgrade: HTTP Upgrade requests (SPDY/3.1, WebSocket: exec, attach, portForward). `accept`
//     looks at the request and either refuses it with a response or gives the headers of the
//     101 Switching Protocols the server then sends; `serve` then owns the raw stream, on a
//     thread of its own, until it returns (the server closes the stream afterwards).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/nodeapi/byte_stream.h"
#include "agent/nodeapi/http_types.h"

namespace nodeagent::nodeapi {

using SimpleHandler = std::function<HttpResponse(const HttpRequest&, const User&)>;
using StreamingHandler = std::function<void(const HttpRequest&, const User&, ResponseStream&)>;

struct UpgradeDecision {
  std::optional<HttpResponse> refusal;                              // set: sent instead of 101
  std::vector<std::pair<std::string, std::string>> headers;         // of the 101 (Upgrade, Connection, ...)
};
struct UpgradeHandler {
  std::function<UpgradeDecision(const HttpRequest&, const User&)> accept;
  std::function<void(const HttpRequest&, const User&, ByteStream&)> serve;
};

struct Route {
  std::string path;      // "/pods"; with prefix = true, "/containerLogs/" matches below it
  bool prefix = false;
  std::variant<SimpleHandler, StreamingHandler, UpgradeHandler> handler;
};

class Router {
 public:
  void add(Route route) { routes_.push_back(std::move(route)); }
  // The longest matching route, or null.
  const Route* match(const std::string& path) const {
    const Route* best = nullptr;
    for (const auto& r : routes_) {
      bool hit = r.prefix ? path.compare(0, r.path.size(), r.path) == 0 : path == r.path;
      if (hit && (!best || r.path.size() > best->path.size())) best = &r;
    }
    return best;
  }

 private:
  std::vector<Route> routes_;
};

}  // namespace nodeagent::nodeapi
