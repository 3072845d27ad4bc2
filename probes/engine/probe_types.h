// The prober's vocabulary: the three probe kinds, what one run of a probe needs (a resolved
// target: host, port, path, command...), what it concluded, and what the engine is told about a
// pod (its spec, IP, netns and running container instances). Shared by the engine
// (probe_manager.h), the handlers (probes/handlers/) and the daemon's adapter.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"
#include "util/clock.h"

namespace nodeagent::probes {

enum class ProbeKind { kLiveness, kReadiness, kStartup };
// "liveness" / "readiness" / "startup" (nodectl, logs).
const char* kind_name(ProbeKind kind);
// "Liveness" / "Readiness" / "Startup" (kubelet's event messages).
const char* kind_title(ProbeKind kind);

// What one run concluded. kubelet's probe.Warning is a success with `warning` set (a redirect to
// another host). kUnknown is kubelet's errored run (the probe could not be run at all: an
// unresolved port, an exec that failed to start): counted as a failure, with its own event.
enum class Outcome { kSuccess, kFailure, kUnknown };
const char* outcome_name(Outcome outcome);  // Success / Failure / Unknown

struct RunResult {
  Outcome outcome = Outcome::kUnknown;
  std::string message;   // failure: kubelet's output ("HTTP probe failed with statuscode: 500")
  bool warning = false;  // success with a ProbeWarning event carrying `message`
};

// A probe handler with everything resolved: named ports, the default host.
struct ProbeTarget {
  enum class Type { kExec, kHttpGet, kTcpSocket, kGrpc };
  Type type = Type::kExec;
  std::vector<std::string> command;  // exec
  std::string host;                  // http, tcp, grpc: an IP address
  int port = 0;
  std::string scheme = "HTTP";       // http: HTTP | HTTPS
  std::string path = "/";
  std::vector<kube::HTTPHeader> headers;
  std::optional<std::string> grpc_service;
};

// "http-get http://:8080/healthz", "tcp-socket :5432", "exec [cat /tmp/ok]", "grpc :9000"
// (kubectl describe's wording); `host` only when the probe names one.
std::string describe_handler(const kube::ProbeHandler& handler, const kube::Container& container);

// kubelet's ResolveContainerPort (pkg/probe), for probes and hooks alike: a number, or the name
// of one of the container's ports. A name it does not declare passes admission and fails here:
// `port "x" not found`; out of range: `invalid port number: 0`.
Result<int> resolve_container_port(const kube::IntOrString& port, const kube::Container& container);

// Resolves the handler of `probe` for `container`: a named port through the container's ports,
// the host defaulting to `pod_ip`. An error (a port name the container does not declare:
// kubelet's `port "x" not found`) makes every run of the probe end as an error.
Result<ProbeTarget> resolve_target(const kube::Probe& probe, const kube::Container& container, const std::string& pod_ip);

// One run handed to a handler.
struct ProbeRun {
  uint64_t run_id = 0;
  ProbeKind kind = ProbeKind::kLiveness;
  ProbeTarget target;
  std::string netns_path;    // "" = the agent's own (hostNetwork)
  std::string container_id;  // exec runs in it
  std::chrono::milliseconds timeout{1000};
  std::string error;         // the handler could not be resolved: the run errors with this
};

// A running container instance, as the pod's last sync saw it.
struct RunningContainer {
  std::string name;
  std::string id;  // containerd id: results are keyed to it
  Clock::TimePoint started_at;
};

// What the engine is told about a pod on every sync.
struct PodInput {
  std::shared_ptr<const kube::Pod> pod;
  std::string pod_ip;      // where httpGet/tcpSocket/grpc go when they name no host
  std::string netns_path;  // the pod's network namespace, "" for hostNetwork
  std::vector<RunningContainer> running;  // only running instances are probed
};

// What the pod's sync reads back (agent/pods/probe_results.h is the agent's mirror of it).
struct ContainerResult {
  std::string container_id;
  bool success = false;
};
struct KillRequest {
  std::string container_id;
  std::string message;  // "Container web failed liveness probe, will be restarted"
  std::optional<std::chrono::seconds> grace;
};
struct PodResults {
  std::vector<std::pair<std::string, ContainerResult>> readiness;  // by container name
  std::vector<std::pair<std::string, ContainerResult>> startup;
  std::vector<std::pair<std::string, KillRequest>> kill;
};

}  // namespace nodeagent::probes
