// grpc probes against a real gRPC health server on 127.0.0.1: SERVING, NOT_SERVING, an unknown
// service and a server without the health service, with kubelet's messages.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <future>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "probes/handlers/grpc_prober.h"

namespace nodeagent::probes {
namespace {

namespace health = grpc::health::v1;

class HealthService final : public health::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext*, const health::HealthCheckRequest* req,
                     health::HealthCheckResponse* resp) override {
    if (req->service() == "") resp->set_status(health::HealthCheckResponse::SERVING);
    else if (req->service() == "down") resp->set_status(health::HealthCheckResponse::NOT_SERVING);
    else return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    return grpc::Status::OK;
  }
};

// The generated service's own methods answer UNIMPLEMENTED: a server that registers the name
// but does not implement Check.
class UnimplementedHealth final : public health::Health::Service {};

struct Server {
  explicit Server(bool with_health) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    if (with_health) b.RegisterService(&service);
    else b.RegisterService(&unimplemented);
    server = b.BuildAndStart();
  }
  ~Server() { server->Shutdown(); }
  HealthService service;
  UnimplementedHealth unimplemented;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

RunResult check(GrpcProber& prober, int port, std::optional<std::string> service) {
  ProbeRun run;
  run.target.type = ProbeTarget::Type::kGrpc;
  run.target.host = "127.0.0.1";
  run.target.port = port;
  run.target.grpc_service = std::move(service);
  auto done = std::make_shared<std::promise<RunResult>>();
  auto result = done->get_future();
  prober.check(run, connect_to(port), [done](RunResult r) { done->set_value(std::move(r)); });
  REQUIRE(result.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  return result.get();
}

}  // namespace

TEST_CASE("grpc: Health/Check with the probe's service, kubelet's messages", "[probes]") {
  Server server(true);
  REQUIRE(server.port > 0);
  GrpcProber prober("kube-probe/0.1");
  auto serving = check(prober, server.port, std::nullopt);
  CHECK(serving.outcome == Outcome::kSuccess);

  auto down = check(prober, server.port, "down");
  CHECK(down.outcome == Outcome::kFailure);
  CHECK(down.message == "service unhealthy (responded with \"NOT_SERVING\")");

  auto unknown = check(prober, server.port, "nope");
  CHECK(unknown.outcome == Outcome::kFailure);
  CHECK(unknown.message == "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service");
  prober.stop();
}

TEST_CASE("grpc: a server without the health service fails as kubelet's does", "[probes]") {
  Server server(false);
  GrpcProber prober("kube-probe/0.1");
  auto r = check(prober, server.port, std::nullopt);
  CHECK(r.outcome == Outcome::kFailure);
  CHECK(r.message.rfind("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ", 0) == 0);
  prober.stop();
}

}  // namespace nodeagent::probes
