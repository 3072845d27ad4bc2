#include "probes/handlers/grpc_prober.h"

#include <unistd.h>

#include <fmt/format.h>
#include <grpcpp/create_channel_posix.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "probes/handlers/http_message.h"

namespace nodeagent::probes {
namespace {

namespace health = ::grpc::health::v1;

struct Call {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<health::Health::Stub> stub;
  grpc::ClientContext context;
  health::HealthCheckResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<health::HealthCheckResponse>> reader;
  std::chrono::milliseconds timeout{1000};
  GrpcProber::Done done;
};

// Go's codes.Code names, as a status error prints them ("rpc error: code = NotFound desc = ...").
const char* go_code_name(grpc::StatusCode code) {
  static const char* const names[] = {"OK",       "Canceled",          "Unknown",           "InvalidArgument",
                                      "DeadlineExceeded", "NotFound",  "AlreadyExists",     "PermissionDenied",
                                      "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
                                      "Unimplemented", "Internal",     "Unavailable",       "DataLoss",
                                      "Unauthenticated"};
  const auto i = static_cast<size_t>(code);
  return i < sizeof names / sizeof names[0] ? names[i] : "Unknown";
}

RunResult grpc_outcome(const Call& call) {
  if (!call.status.ok()) {
    if (call.status.error_code() == grpc::StatusCode::UNIMPLEMENTED)
      return {Outcome::kFailure,
              fmt::format("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {}",
                          call.status.error_message()),
              false};
    if (call.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      return {Outcome::kFailure, fmt::format("timeout: health rpc did not complete within {}s", call.timeout.count() / 1000),
              false};
    return {Outcome::kFailure,
            fmt::format("error: health rpc probe failed: rpc error: code = {} desc = {}",
                        go_code_name(call.status.error_code()), call.status.error_message()),
            false};
  }
  if (call.response.status() != health::HealthCheckResponse::SERVING)
    return {Outcome::kFailure,
            fmt::format("service unhealthy (responded with \"{}\")",
                        health::HealthCheckResponse::ServingStatus_Name(call.response.status())),
            false};
  return {Outcome::kSuccess, "service healthy", false};
}

}  // namespace

GrpcProber::GrpcProber(std::string user_agent) : user_agent_(std::move(user_agent)) {
  thread_ = std::thread([this] { drain(); });
}

GrpcProber::~GrpcProber() { stop(); }

void GrpcProber::stop() {
  if (stopped_) return;
  stopped_ = true;
  cq_.Shutdown();
  if (thread_.joinable()) thread_.join();
}

void GrpcProber::check(const ProbeRun& run, int fd, Done done) {
  grpc::ChannelArguments args;
  args.SetUserAgentPrefix(user_agent_);
  auto* call = new Call;
  call->timeout = run.timeout;
  call->done = std::move(done);
  call->channel = grpc::CreateCustomInsecureChannelFromFd(host_port(run.target.host, run.target.port), fd, args);
  call->stub = health::Health::NewStub(call->channel);
  call->context.set_deadline(std::chrono::system_clock::now() + run.timeout);
  health::HealthCheckRequest request;
  request.set_service(run.target.grpc_service.value_or(""));
  call->reader = call->stub->AsyncCheck(&call->context, request, &cq_);
  call->reader->Finish(&call->response, &call->status, call);
}

void GrpcProber::drain() {
  void* tag = nullptr;
  bool ok = false;
  while (cq_.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    call->done(grpc_outcome(*call));
  }
}

}  // namespace nodeagent::probes
