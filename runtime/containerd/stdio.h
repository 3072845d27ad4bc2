// Where a container's stdout/stderr go: the containerd "binary logging" URI that makes the shim
// start nodeagent-logger (runtime/logs/) with the container's output pipes.
#pragma once

#include <cstdint>
#include <string>

namespace nodeagent::runtime::ctd {

// binary://<logger_path>?path=<log_path>&max-size=<bytes>&max-files=<n>, values percent-encoded.
// The shim runs `<logger_path> path <log_path> max-size <bytes> max-files <n>` (query order is
// not preserved) with fd 3 = stdout, fd 4 = stderr and fd 5 = the "ready" pipe.
std::string binary_log_uri(const std::string& logger_path, const std::string& log_path,
                           int64_t max_size_bytes, int max_files);

// The directory of /proc/self/exe + "/nodeagent-logger": the logger ships next to the agent.
std::string default_logger_path();

// RFC 3986 percent-encoding of everything but unreserved characters and '/'.
std::string percent_encode(const std::string& s);

}  // namespace nodeagent::runtime::ctd
