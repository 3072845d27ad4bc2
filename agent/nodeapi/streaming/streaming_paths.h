// kubelet's streaming URLs: /exec|/attach|/run/{namespace}/{pod}[/{uid}]/{container} and
// /portForward/{namespace}/{pod}[/{uid}], and the query parameters of exec and attach
// (input, output, error, tty as "1"; command repeated).
#pragma once

#include <optional>
#include <string>

#include "agent/nodeapi/streaming/stream_request.h"
#include "util/result.h"

namespace nodeagent::nodeapi::streaming {

enum class Endpoint { kExec, kAttach, kRun, kPortForward };

struct StreamTarget {
  Endpoint endpoint = Endpoint::kExec;
  std::string ns;
  std::string pod;
  std::string uid;        // "" when the URL has none
  std::string container;  // "" for portForward
};

// nullopt when the path is not one of the streaming URLs (kubelet answers 404).
std::optional<StreamTarget> parse_stream_path(const std::string& path);

struct StreamOptions {
  bool stdin = false;
  bool stdout = false;
  bool stderr = false;
  bool tty = false;
};

// remotecommand's NewOptions: tty drops stderr (a terminal has one output); none of the three
// is an error, worded as upstream's.
Result<StreamOptions> parse_stream_options(const StreamRequest& req);

}  // namespace nodeagent::nodeapi::streaming
