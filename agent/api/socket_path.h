// Preparing a root-only unix socket path: parent directory, stale socket, file mode.
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent::api {

// Creates missing parent directories with mode 0700 (existing ones are left as they are).
Status make_private_parent_dir(const std::string& socket_path);
// Removes a socket nobody listens on; AlreadyExists if a server answers, FailedPrecondition if
// the path is something other than a socket.
Status remove_stale_socket(const std::string& socket_path);
// Whether a connect() to the unix socket succeeds.
bool socket_answers(const std::string& socket_path);

}  // namespace nodeagent::api
