// Pure helpers of the containerd client: gRPC status mapping, log URIs, label filters,
// timestamps. (OOM counters moved to the cgroup layer: test/unit/cgroups/cgroupfs_oom_test.cc.)
#include <catch2/catch.hpp>

#include "runtime/containerd/connection.h"
#include "runtime/containerd/container_service.h"
#include "runtime/containerd/proto_time.h"
#include "runtime/containerd/stdio.h"

using nodeagent::ErrorCode;
using namespace nodeagent::runtime::ctd;

TEST_CASE("from_grpc maps status codes and prefixes the object", "[containerd]") {
  auto e = from_grpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "container \"x\": not found"), "container x: get");
  CHECK(e.code == ErrorCode::kNotFound);
  CHECK(e.message == "container x: get: container \"x\": not found");
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "m"), "w").code == ErrorCode::kAlreadyExists);
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::UNAVAILABLE, "m"), "w").code == ErrorCode::kUnavailable);
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "m"), "w").code == ErrorCode::kDeadlineExceeded);
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "m"), "w").code == ErrorCode::kFailedPrecondition);
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "m"), "w").code == ErrorCode::kInvalid);
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::UNKNOWN, "m"), "w").code == ErrorCode::kInternal);
  // containerd's own deadline firing first (server side) comes back as UNKNOWN.
  CHECK(from_grpc(grpc::Status(grpc::StatusCode::UNKNOWN, "context deadline exceeded: unknown"), "w").code ==
        ErrorCode::kDeadlineExceeded);
  CHECK(check_grpc(grpc::Status::OK, "w").ok());
}

TEST_CASE("binary log URI carries path and limits, percent-encoded", "[containerd]") {
  CHECK(binary_log_uri("/usr/lib/nodeagent/nodeagent-logger", "/var/log/pods/ns_p_uid/c/0.log", 10485760, 5) ==
        "binary:///usr/lib/nodeagent/nodeagent-logger?path=/var/log/pods/ns_p_uid/c/0.log&max-size=10485760&max-files=5");
  CHECK(percent_encode("a b&c=d?%") == "a%20b%26c%3Dd%3F%25");
  CHECK(default_logger_path().size() > std::string("/nodeagent-logger").size());
  CHECK(default_logger_path().find("/nodeagent-logger") == default_logger_path().size() - 17);
}

TEST_CASE("label selectors become one AND-ed, quoted containerd filter", "[containerd]") {
  CHECK(label_filter({}).empty());
  CHECK(label_filter({{"io.kubernetes.pod.uid", "u1"}}) == "labels.\"io.kubernetes.pod.uid\"==\"u1\"");
  CHECK(label_filter({{"a", "x\"y"}, {"b", "2"}}) == "labels.\"a\"==\"x\\\"y\",labels.\"b\"==\"2\"");
}

TEST_CASE("protobuf timestamps: zero and Go zero time are unset", "[containerd]") {
  google::protobuf::Timestamp ts;
  CHECK_FALSE(to_time_point(ts).has_value());
  ts.set_seconds(-62135596800);
  CHECK_FALSE(to_time_point(ts).has_value());
  ts.set_seconds(1700000000);
  ts.set_nanos(500);
  auto tp = to_time_point(ts);
  REQUIRE(tp.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::nanoseconds>(tp->time_since_epoch()).count() == 1700000000000000500);
}
