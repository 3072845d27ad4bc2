#include "agent/nodeapi/streaming/exec_status.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nodeagent::nodeapi::streaming {

std::string error_stream_payload(const std::string& protocol, const ExecOutcome& outcome, bool attach) {
  nlohmann::ordered_json status;  // upstream's field order: status, message, reason, details, code
  bool success = outcome.error.empty() && outcome.exit_code.value_or(0) == 0;
  if (success) {
    status["status"] = "Success";
  } else if (outcome.error.empty()) {
    int rc = *outcome.exit_code;
    status["status"] = "Failure";
    status["message"] = fmt::format("command terminated with non-zero exit code: exit status {}", rc);
    status["reason"] = "NonZeroExitCode";
    status["details"] = {{"causes", nlohmann::ordered_json::array({{{"reason", "ExitCode"}, {"message", std::to_string(rc)}}})}};
  } else {
    std::string err = attach ? "error attaching to container: " + outcome.error
                             : "error executing command in container: " + outcome.error;
    status["status"] = "Failure";
    status["message"] = "Internal error occurred: " + err;
    status["reason"] = "InternalError";
    status["code"] = 500;
  }
  if (protocol == "v4.channel.k8s.io") return status.dump();
  return success ? "" : status["message"].get<std::string>();
}

}  // namespace nodeagent::nodeapi::streaming
