// The one gRPC connection to containerd: owns the channel to its unix socket, the containerd
// namespace every call runs in, and the per-service stubs. Also the single place where a gRPC
// status becomes a nodeagent Error (from_grpc), and the Lease helper that keeps content and
// snapshots safe from containerd's garbage collector while they are being prepared.
//
// Typical use:
//   auto conn = Connection::create({.address = sock, .ns = "k8s.io"});
//   auto ctx = conn->context();                       // namespace header + deadline
//   ::containerd::services::version::v1::VersionResponse resp;
//   grpc::Status s = conn->version().Version(ctx.get(), {}, &resp);
//   if (!s.ok()) return from_grpc(s, "containerd version");
//
// Our namespace is nodeagent::runtime::ctd (not "containerd"), so that `::containerd::...` and
// `containerd::...` keep naming the generated API everywhere.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "util/result.h"
#include "github.com/containerd/containerd/api/services/containers/v1/containers.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/content/v1/content.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/diff/v1/diff.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/events/v1/events.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/images/v1/images.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/leases/v1/leases.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/namespaces/v1/namespace.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/snapshots/v1/snapshots.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/tasks/v1/tasks.grpc.pb.h"
#include "github.com/containerd/containerd/api/services/version/v1/version.grpc.pb.h"

namespace nodeagent::runtime::ctd {

// Short names for the generated API packages.
namespace api {
namespace containers = ::containerd::services::containers::v1;
namespace content = ::containerd::services::content::v1;
namespace diff = ::containerd::services::diff::v1;
namespace events = ::containerd::services::events::v1;
namespace images = ::containerd::services::images::v1;
namespace leases = ::containerd::services::leases::v1;
namespace namespaces = ::containerd::services::namespaces::v1;
namespace snapshots = ::containerd::services::snapshots::v1;
namespace tasks = ::containerd::services::tasks::v1;
namespace version = ::containerd::services::version::v1;
}  // namespace api

inline constexpr const char* kDefaultAddress = "/run/containerd/containerd.sock";
inline constexpr const char* kNamespaceHeader = "containerd-namespace";
inline constexpr const char* kLeaseHeader = "containerd-lease";

// Maps a failed gRPC status to an Error whose message starts with `what`
// (NOT_FOUND → kNotFound, ALREADY_EXISTS → kAlreadyExists, UNAVAILABLE → kUnavailable, ...).
// This is the only place gRPC codes are translated.
Error from_grpc(const grpc::Status& status, const std::string& what);
// ok_status() for an OK gRPC status, from_grpc(...) otherwise.
Status check_grpc(const grpc::Status& status, const std::string& what);

struct ConnectionOptions {
  // "unix:///run/containerd/containerd.sock", "unix:/path" or a plain path.
  std::string address = kDefaultAddress;
  // containerd namespace of every call ("k8s.io" like kubelet's CRI plugin).
  std::string ns = "k8s.io";
  // Deadline of calls that do not ask for another one.
  std::chrono::milliseconds default_timeout{std::chrono::seconds(30)};
};

class Connection {
 public:
  // Creates the channel; it connects lazily on the first call (see wait_ready).
  static std::shared_ptr<Connection> create(const ConnectionOptions& options);

  // Blocks until containerd answers a Version call or `timeout` passes (kUnavailable).
  Status wait_ready(std::chrono::milliseconds timeout);

  const std::string& ns() const { return options_.ns; }
  // The socket path, without any "unix://" prefix (for ctr, shims, logs).
  const std::string& socket_path() const { return socket_path_; }
  std::chrono::milliseconds default_timeout() const { return options_.default_timeout; }

  // A context for one call: containerd-namespace header and a deadline of `timeout` from now
  // (default_timeout when zero). ClientContext cannot be reused or moved, hence the pointer.
  std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds timeout = {}) const;
  // Like context() but without a deadline: for long-lived streams (Events.Subscribe).
  std::unique_ptr<grpc::ClientContext> stream_context() const;
  // Like context() plus the containerd-lease header, so that what the call creates is held by it.
  std::unique_ptr<grpc::ClientContext> lease_context(const std::string& lease_id,
                                                     std::chrono::milliseconds timeout = {}) const;

  api::containers::Containers::Stub& containers() { return *containers_; }
  api::tasks::Tasks::Stub& tasks() { return *tasks_; }
  api::content::Content::Stub& content() { return *content_; }
  api::images::Images::Stub& images() { return *images_; }
  api::snapshots::Snapshots::Stub& snapshots() { return *snapshots_; }
  api::diff::Diff::Stub& diff() { return *diff_; }
  api::leases::Leases::Stub& leases() { return *leases_; }
  api::events::Events::Stub& events() { return *events_; }
  api::namespaces::Namespaces::Stub& namespaces() { return *namespaces_; }
  api::version::Version::Stub& version() { return *version_; }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  explicit Connection(ConnectionOptions options);

  ConnectionOptions options_;
  std::string socket_path_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<api::containers::Containers::Stub> containers_;
  std::unique_ptr<api::tasks::Tasks::Stub> tasks_;
  std::unique_ptr<api::content::Content::Stub> content_;
  std::unique_ptr<api::images::Images::Stub> images_;
  std::unique_ptr<api::snapshots::Snapshots::Stub> snapshots_;
  std::unique_ptr<api::diff::Diff::Stub> diff_;
  std::unique_ptr<api::leases::Leases::Stub> leases_;
  std::unique_ptr<api::events::Events::Stub> events_;
  std::unique_ptr<api::namespaces::Namespaces::Stub> namespaces_;
  std::unique_ptr<api::version::Version::Stub> version_;
};

// A containerd lease, deleted when the object goes away (or by release()). Content written and
// snapshots prepared with lease.context() belong to the lease, so the GC cannot collect them
// before the image record or container that references them exists. The lease also carries a
// gc.expire label, so a crash cannot pin resources forever.
class Lease {
 public:
  static Result<Lease> create(std::shared_ptr<Connection> connection,
                              std::chrono::seconds expire_after = std::chrono::hours(24));
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();  // release(), logging (not returning) a failure

  const std::string& id() const { return id_; }
  // A call context in the connection's namespace that carries this lease.
  std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds timeout = {}) const;
  // Deletes the lease now (synchronously, so the GC sees what is left unreferenced). Idempotent.
  Status release();

 private:
  Lease(std::shared_ptr<Connection> connection, std::string id);

  std::shared_ptr<Connection> connection_;
  std::string id_;  // empty once released or moved from
};

}  // namespace nodeagent::runtime::ctd
