// Runs a node tool (blkid, mkfs.ext4) to completion: argv as given (no shell), stdin from
// /dev/null, stdout and stderr captured together. For the mounter's disk operations only.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::volumes {

struct ToolOutput {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout and stderr
};

// An error only when the program cannot be started; its exit code is the caller's to judge.
Result<ToolOutput> run_tool(const std::vector<std::string>& argv);

}  // namespace nodeagent::volumes
