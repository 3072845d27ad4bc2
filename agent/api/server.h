// ApiServer: the agent's local gRPC API (nodeagent.v1.NodeAgent) on a root-only unix socket.
//
//   api::ApiServer server(backend, {.socket_path = "/run/nodeagent/nodeagent.sock"});
//   if (auto st = server.start(); !st.ok()) ...;   // creates the dir (0700), socket 0600
//   ...
//   server.stop();                                  // refuses new calls, ends log follows,
//                                                   // waits for in-flight calls
//
// start() and stop() are idempotent; the destructor stops.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "agent/api/backend.h"
#include "agent/api/gate.h"
#include "util/result.h"

namespace grpc {
class Server;
}

namespace nodeagent::api {

class NodeAgentService;

struct ApiServerOptions {
  std::string socket_path = "/run/nodeagent/nodeagent.sock";
  // How often a followed log file is polled for growth and rotation.
  std::chrono::milliseconds log_poll_interval{200};
};

class ApiServer {
 public:
  ApiServer(AgentBackend& backend, ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Errors: AlreadyExists when another server answers on the socket; FailedPrecondition when
  // the path exists and is not a socket; Internal when gRPC cannot listen.
  Status start();
  void stop();
  const std::string& socket_path() const { return options_.socket_path; }

 private:
  AgentBackend& backend_;
  ApiServerOptions options_;
  std::mutex mu_;  // start/stop
  Gate gate_;
  std::unique_ptr<NodeAgentService> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace nodeagent::api
