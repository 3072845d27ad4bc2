// The nodeagent.v1.NodeAgent service over an AgentBackend: each RPC enters the server's gate,
// asks the backend, and maps errors to gRPC status. Internal to ApiServer (server.h).
#pragma once

#include <chrono>
#include <functional>

#include "agent/api/backend.h"
#include "agent/api/gate.h"
#include "nodeagent/api.grpc.pb.h"

namespace nodeagent::api {

class NodeAgentService final : public v1::NodeAgent::Service {
 public:
  NodeAgentService(AgentBackend& backend, Gate& gate, std::chrono::milliseconds log_poll_interval)
      : backend_(backend), gate_(gate), log_poll_interval_(log_poll_interval) {}

  grpc::Status ListPods(grpc::ServerContext*, const v1::ListPodsRequest*, v1::JsonDocument*) override;
  grpc::Status GetPod(grpc::ServerContext*, const v1::PodRef*, v1::JsonDocument*) override;
  grpc::Status ListContainers(grpc::ServerContext*, const v1::ListContainersRequest*,
                              v1::ListContainersResponse*) override;
  grpc::Status InspectContainer(grpc::ServerContext*, const v1::ContainerRef*, v1::JsonDocument*) override;
  grpc::Status Logs(grpc::ServerContext*, const v1::LogsRequest*, grpc::ServerWriter<v1::LogChunk>*) override;
  grpc::Status Exec(grpc::ServerContext*, const v1::ExecRequest*, grpc::ServerWriter<v1::ExecOutput>*) override;
  grpc::Status ListImages(grpc::ServerContext*, const v1::ListImagesRequest*, v1::ListImagesResponse*) override;
  grpc::Status PullImage(grpc::ServerContext*, const v1::PullImageRequest*, v1::Image*) override;
  grpc::Status ImportImage(grpc::ServerContext*, const v1::ImportImageRequest*, v1::ListImagesResponse*) override;
  grpc::Status RemoveImage(grpc::ServerContext*, const v1::RemoveImageRequest*, v1::RemoveImageResponse*) override;
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest*, v1::JsonDocument*) override;
  grpc::Status ListProbes(grpc::ServerContext*, const v1::ListProbesRequest*, v1::JsonDocument*) override;
  grpc::Status ListServices(grpc::ServerContext*, const v1::ListServicesRequest*, v1::JsonDocument*) override;
  grpc::Status TraceService(grpc::ServerContext*, const v1::TraceRequest*, v1::TraceResponse*) override;
  grpc::Status Version(grpc::ServerContext*, const v1::VersionRequest*, v1::VersionResponse*) override;

 private:
  // Runs `body` inside the gate, turning a closed gate and escaping exceptions into status.
  grpc::Status guarded(const char* rpc, const std::function<grpc::Status()>& body);

  AgentBackend& backend_;
  Gate& gate_;
  std::chrono::milliseconds log_poll_interval_;
};

}  // namespace nodeagent::api
