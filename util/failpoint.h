// Failpoints for crash tests (after etcd's gofail): a named point in a multi-step operation
// where a test can make the agent die as if killed with SIGKILL, to prove that a restart
// finishes the operation. Off unless NODEAGENT_FAILPOINTS (comma-separated names) is set in the
// agent's environment, which only tests do; a point that is off costs one load of a flag.
#pragma once

#include <string_view>

namespace nodeagent {

// Kills this process with SIGKILL when `name` is listed in NODEAGENT_FAILPOINTS.
void failpoint(std::string_view name);

}  // namespace nodeagent
