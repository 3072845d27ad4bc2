// What remotecommand's error stream carries at the end of an exec or attach
// (k8s.io/cri-streaming remotecommand): from v4.channel.k8s.io on, a Status object as JSON
// ({"status":"Success"}, or Failure with reason NonZeroExitCode and the exit code as the
// message of an ExitCode cause, or InternalError); before v4, only the message of a failure.
#pragma once

#include <optional>
#include <string>

namespace nodeagent::nodeapi::streaming {

struct ExecOutcome {
  std::optional<int> exit_code;  // set when the process ran to an exit
  std::string error;             // set when it could not be run (or attach failed)
};

// The bytes to write on the error stream ("" = write nothing) for protocol `protocol`.
// `attach` words internal errors as attach does ("error attaching to container: ...").
std::string error_stream_payload(const std::string& protocol, const ExecOutcome& outcome, bool attach);

}  // namespace nodeagent::nodeapi::streaming
