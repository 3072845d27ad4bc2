// The network probes, asynchronous on the prober's loop: tcpSocket (a connect), httpGet (HTTP or
// HTTPS without certificate verification, redirects followed to the same host only, as kubelet's
// prober) and the connect step of grpc (the connected socket is handed to the gRPC client). Each
// run is one non-blocking connection per request, its socket made in the pod's namespace
// (NetnsSockets), with the probe's timeoutSeconds over the whole run, redirects included.
// Loop-thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "probes/engine/probe_types.h"
#include "probes/handlers/io_loop.h"
#include "probes/handlers/netns_sockets.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace nodeagent::probes {

class SocketProber {
 public:
  using Done = std::function<void(RunResult)>;
  // A connected socket (owned by the callee) or kubelet's failure message.
  using Connected = std::function<void(int fd, std::optional<RunResult> failure)>;
  using SteadyTime = std::chrono::steady_clock::time_point;

  SocketProber(IoLoop& loop, NetnsSockets& sockets, std::string user_agent);
  ~SocketProber();

  // run.target.type is kTcpSocket or kHttpGet.
  void start(const ProbeRun& run, Done done);
  // Connects to run.target (a grpc probe) and hands over the socket.
  void connect(const ProbeRun& run, Connected connected);

  // Ends the runs past their timeout; returns the earliest deadline still ahead.
  std::optional<SteadyTime> expire(SteadyTime now);
  // Frees the connections that finished (not inside their own callbacks).
  void sweep();
  size_t in_flight() const { return live_.size(); }

  class Connection;

 private:
  friend class Connection;
  SSL_CTX* tls();
  void finished(Connection* c);

  IoLoop& loop_;
  NetnsSockets& sockets_;
  std::string user_agent_;
  SSL_CTX* tls_ = nullptr;
  std::set<Connection*> live_;
  std::vector<std::unique_ptr<Connection>> done_;
};

}  // namespace nodeagent::probes
