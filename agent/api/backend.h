// What the local API server needs from the rest of the agent. The daemon implements it over the
// pod manager, status manager, event recorder and runtime; tests implement it with fakes.
// Kubernetes objects cross this boundary as v1 JSON (nlohmann::json), like they cross the API.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"
#include "runtime/runtime.h"

namespace nodeagent::api {

// A container as the agent knows it (pod identity comes from the agent's labels).
struct ContainerView {
  runtime::ContainerState state;
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  std::string container_name;
  uint32_t attempt = 0;
};

// Where a container's logs are: the CRI log file for a given attempt.
struct LogLocation {
  std::string path;        // <pod-log-dir>/<ns>_<name>_<uid>/<container>/<attempt>.log
  bool running = false;    // whether the container may still write (follow waits for more)
};

class AgentBackend {
 public:
  virtual ~AgentBackend() = default;

  // v1 Pod objects (with status) bound to this node.
  virtual std::vector<nlohmann::json> list_pods() = 0;
  // `pod` is "name", "namespace/name", or a UID prefix; NotFound / Invalid (ambiguous) errors.
  virtual Result<nlohmann::json> get_pod(const std::string& pod) = 0;
  virtual Result<std::vector<ContainerView>> list_containers(const std::string& pod, bool all) = 0;
  // Resolves a pod + container name (container "" = the only one) to the container's id.
  virtual Result<std::string> container_id(const std::string& pod, const std::string& container) = 0;
  virtual Result<LogLocation> log_location(const std::string& pod, const std::string& container,
                                           bool previous) = 0;
  // v1 Event objects, oldest first; pod "" = all.
  virtual std::vector<nlohmann::json> list_events(const std::string& pod) = 0;
  // One object per probe (container, kind, handler, result, counts, times); "" = every pod.
  virtual Result<std::vector<nlohmann::json>> list_probes(const std::string& pod) = 0;

  virtual runtime::ContainerService& containers() = 0;
  virtual runtime::ImageService& images() = 0;

  // Service proxy views (nullopt until the proxy is wired in).
  virtual Result<nlohmann::json> list_services() = 0;
  virtual Result<std::string> trace_service(const std::string& service, const std::string& port) = 0;

  struct Facts {
    std::string version, node_name, containerd_namespace, root_dir;
  };
  virtual Facts facts() = 0;
};

}  // namespace nodeagent::api
