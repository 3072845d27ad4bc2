// nodectl's connection to the agent: a gRPC channel over the unix socket, checked up front
// so that "the agent is not running" is one clear line instead of a transport error.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "util/result.h"
#include "nodeagent/api.grpc.pb.h"

namespace nodeagent::ctl {

class Client {
 public:
  // Unavailable ("cannot reach nodeagent at PATH: <reason>") when nothing answers on the socket.
  static Result<Client> connect(const std::string& socket_path);

  v1::NodeAgent::Stub& stub() { return *stub_; }
  const std::string& socket_path() const { return socket_path_; }

 private:
  Client(std::string socket_path, std::shared_ptr<grpc::Channel> channel);

  std::string socket_path_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NodeAgent::Stub> stub_;
};

}  // namespace nodeagent::ctl
