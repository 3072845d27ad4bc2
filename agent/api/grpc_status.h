// Translation of agent errors into gRPC status at the API boundary (and nowhere else), so that
// nodectl can tell "not found" from "unreachable" and print one clear line.
#pragma once

#include <grpcpp/support/status.h>

#include "util/result.h"

namespace nodeagent::api {

grpc::StatusCode to_grpc_code(ErrorCode code);
// The status for an error; the message is flattened to one line.
grpc::Status to_grpc(const Error& error);

}  // namespace nodeagent::api
