// Connection, Lease and gRPC status translation (see connection.h).
#include "runtime/containerd/connection.h"

#include <atomic>
#include <random>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>

#include "util/log.h"
#include "util/rfc3339.h"

namespace nodeagent::runtime::ctd {
namespace {

// Socket path from "unix:///p", "unix:/p" or "/p".
std::string strip_unix_scheme(const std::string& address) {
  if (address.rfind("unix://", 0) == 0) return address.substr(7);
  if (address.rfind("unix:", 0) == 0) return address.substr(5);
  return address;
}

// RFC 3339 UTC timestamp, the format containerd's gc.expire label expects.
std::string rfc3339_utc(std::chrono::system_clock::time_point t) {
  return format_rfc3339(t, Rfc3339Fraction::kNone);
}

// Unique enough across processes and restarts: pid, time and a random suffix.
std::string new_lease_id() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return fmt::format("nodeagent-{}-{:x}-{}-{:08x}", ::getpid(), now, counter++, rd());
}

ErrorCode map_code(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::NOT_FOUND: return ErrorCode::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS: return ErrorCode::kAlreadyExists;
    case grpc::StatusCode::UNAVAILABLE: return ErrorCode::kUnavailable;
    case grpc::StatusCode::CANCELLED: return ErrorCode::kUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return ErrorCode::kDeadlineExceeded;
    case grpc::StatusCode::FAILED_PRECONDITION: return ErrorCode::kFailedPrecondition;
    case grpc::StatusCode::INVALID_ARGUMENT: return ErrorCode::kInvalid;
    case grpc::StatusCode::OUT_OF_RANGE: return ErrorCode::kInvalid;
    default: return ErrorCode::kInternal;
  }
}

}  // namespace

Error from_grpc(const grpc::Status& status, const std::string& what) {
  std::string message = status.error_message();
  if (message.empty()) message = fmt::format("grpc status {}", static_cast<int>(status.error_code()));
  ErrorCode code = map_code(status.error_code());
  // When the deadline we propagated expires inside containerd first (e.g. its ttrpc call to the
  // shim in Tasks.Wait), it answers UNKNOWN "context deadline exceeded" instead of DEADLINE_EXCEEDED.
  if (status.error_code() == grpc::StatusCode::UNKNOWN && message.find("context deadline exceeded") != std::string::npos) {
    code = ErrorCode::kDeadlineExceeded;
  }
  return Error{code, what + ": " + message};
}

Status check_grpc(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return ok_status();
  return from_grpc(status, what);
}

std::shared_ptr<Connection> Connection::create(const ConnectionOptions& options) {
  return std::shared_ptr<Connection>(new Connection(options));
}

Connection::Connection(ConnectionOptions options)
    : options_(std::move(options)), socket_path_(strip_unix_scheme(options_.address)) {
  grpc::ChannelArguments args;
  // containerd's own client raises both limits to 16 MiB (large specs, container lists).
  args.SetMaxReceiveMessageSize(16 << 20);
  args.SetMaxSendMessageSize(16 << 20);
  // gRPC would otherwise use the socket path as :authority, which containerd does not care about
  // but which makes logs noisy.
  args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, "localhost");
  channel_ = grpc::CreateCustomChannel("unix://" + socket_path_, grpc::InsecureChannelCredentials(), args);
  containers_ = api::containers::Containers::NewStub(channel_);
  tasks_ = api::tasks::Tasks::NewStub(channel_);
  content_ = api::content::Content::NewStub(channel_);
  images_ = api::images::Images::NewStub(channel_);
  snapshots_ = api::snapshots::Snapshots::NewStub(channel_);
  diff_ = api::diff::Diff::NewStub(channel_);
  leases_ = api::leases::Leases::NewStub(channel_);
  events_ = api::events::Events::NewStub(channel_);
  namespaces_ = api::namespaces::Namespaces::NewStub(channel_);
  version_ = api::version::Version::NewStub(channel_);
}

Status Connection::wait_ready(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::system_clock::now() + timeout;
  grpc::Status last;
  while (true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline);
    ctx.set_wait_for_ready(true);  // wait through connection failures until the deadline
    api::version::VersionResponse resp;
    last = version_->Version(&ctx, google::protobuf::Empty(), &resp);
    if (last.ok()) return ok_status();
    if (std::chrono::system_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return unavailable(fmt::format("containerd at {}: not ready after {} ms: {}", socket_path_,
                                 timeout.count(), last.error_message()));
}

std::unique_ptr<grpc::ClientContext> Connection::stream_context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata(kNamespaceHeader, options_.ns);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Connection::context(std::chrono::milliseconds timeout) const {
  auto ctx = stream_context();
  if (timeout.count() <= 0) timeout = options_.default_timeout;
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Connection::lease_context(const std::string& lease_id,
                                                               std::chrono::milliseconds timeout) const {
  auto ctx = context(timeout);
  ctx->AddMetadata(kLeaseHeader, lease_id);
  return ctx;
}

Result<Lease> Lease::create(std::shared_ptr<Connection> connection, std::chrono::seconds expire_after) {
  api::leases::CreateRequest req;
  req.set_id(new_lease_id());
  (*req.mutable_labels())["containerd.io/gc.expire"] =
      rfc3339_utc(std::chrono::system_clock::now() + expire_after);
  api::leases::CreateResponse resp;
  auto ctx = connection->context();
  grpc::Status s = connection->leases().Create(ctx.get(), req, &resp);
  if (!s.ok()) return from_grpc(s, "lease " + req.id() + ": create");
  return Lease(std::move(connection), resp.lease().id());
}

Lease::Lease(std::shared_ptr<Connection> connection, std::string id)
    : connection_(std::move(connection)), id_(std::move(id)) {}

Lease::Lease(Lease&& other) noexcept
    : connection_(std::move(other.connection_)), id_(std::exchange(other.id_, {})) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release().ignore_error();  // logged inside
    connection_ = std::move(other.connection_);
    id_ = std::exchange(other.id_, {});
  }
  return *this;
}

Lease::~Lease() { release().ignore_error(); }

std::unique_ptr<grpc::ClientContext> Lease::context(std::chrono::milliseconds timeout) const {
  return connection_->lease_context(id_, timeout);
}

Status Lease::release() {
  if (id_.empty() || !connection_) return ok_status();
  api::leases::DeleteRequest req;
  req.set_id(id_);
  req.set_sync(true);
  google::protobuf::Empty resp;
  auto ctx = connection_->context();
  grpc::Status s = connection_->leases().Delete(ctx.get(), req, &resp);
  std::string id = std::exchange(id_, {});
  if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND) {
    Error err = from_grpc(s, "lease " + id + ": delete");
    log::get("runtime")->warn("{}", err.message);
    return err;
  }
  return ok_status();
}

}  // namespace nodeagent::runtime::ctd
