// Client: socket reachability check, then the gRPC channel (see client.h).
#include "agent/ctl/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

namespace nodeagent::ctl {
namespace {

// connect() once ourselves: its errno (ENOENT, EACCES, ECONNREFUSED) says why better than gRPC.
Status probe_socket(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return unavailable("socket path is too long");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(std::strerror(errno));
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc != 0) return unavailable(std::strerror(err));
  return ok_status();
}

}  // namespace

Client::Client(std::string socket_path, std::shared_ptr<grpc::Channel> channel)
    : socket_path_(std::move(socket_path)),
      channel_(std::move(channel)),
      stub_(v1::NodeAgent::NewStub(channel_)) {}

Result<Client> Client::connect(const std::string& socket_path) {
  Status reachable = probe_socket(socket_path);
  if (!reachable.ok()) {
    return unavailable("cannot reach nodeagent at " + socket_path + ": " + reachable.error().message);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  auto channel = grpc::CreateCustomChannel("unix:" + socket_path, grpc::InsecureChannelCredentials(), args);
  return Client(socket_path, std::move(channel));
}

}  // namespace nodeagent::ctl
