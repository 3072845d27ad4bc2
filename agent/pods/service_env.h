// Service environment variables, as kubelet's getServiceEnvVarMap + envvars.FromServices give
// them to every container: for each Service with a ClusterIP in the pod's namespace (when
// enableServiceLinks, the default) and for the `kubernetes` Service of the default namespace
// (always), <NAME>_SERVICE_HOST, <NAME>_SERVICE_PORT, <NAME>_SERVICE_PORT_<PORTNAME> and the
// Docker link variables <NAME>_PORT, <NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]. Names are
// upper-cased with '-' -> '_'. Pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kube/types.h"

namespace nodeagent::pods {

using EnvPairs = std::vector<std::pair<std::string, std::string>>;

// The Services a container sees when it starts, from the node's view of them (the manifest
// directory standalone, the API server once joined).
class ServiceListerPort {
 public:
  virtual ~ServiceListerPort() = default;
  virtual std::vector<kube::Service> services() const = 0;
};

// The variables for a pod in `pod_namespace`, Services sorted by name.
EnvPairs service_env_vars(const std::vector<kube::Service>& services, const std::string& pod_namespace,
                          bool enable_service_links);

}  // namespace nodeagent::pods
