// grpc probes: grpc.health.v1.Health/Check with the probe's `service` over a socket the loop has
// already connected inside the pod's netns (gRPC's own threads would not be in it), so the
// channel is made from that fd. One completion-queue thread serves every call; kubelet's
// messages ("service unhealthy (responded with \"NOT_SERVING\")", ...).
#pragma once

#include <functional>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "probes/engine/probe_types.h"

namespace nodeagent::probes {

class GrpcProber {
 public:
  using Done = std::function<void(RunResult)>;
  explicit GrpcProber(std::string user_agent);
  ~GrpcProber();
  // Takes ownership of `fd`; `done` runs on the completion-queue thread.
  void check(const ProbeRun& run, int fd, Done done);
  void stop();

 private:
  void drain();
  std::string user_agent_;
  grpc::CompletionQueue cq_;
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace nodeagent::probes
