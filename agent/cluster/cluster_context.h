// What every part of the control-plane join shares: the API client (this node's identity), the
// node's name and the clock. The parts (node status and lease, pod source, status upload,
// services, objects, tokens, events) each take one and run on their own.
#pragma once

#include <string>

#include "kube/client/api_client.h"
#include "util/clock.h"

namespace nodeagent::cluster {

struct ClusterContext {
  kube::client::ApiClient* client = nullptr;
  std::string node_name;
  const Clock* clock = nullptr;
};

// /api/v1/namespaces/<ns>/<resource>[/<name>[/<sub>]]
inline std::string namespaced_path(const std::string& ns, const std::string& resource, const std::string& name = "",
                                   const std::string& sub = "") {
  std::string p = "/api/v1/namespaces/" + ns + "/" + resource;
  if (!name.empty()) p += "/" + name;
  if (!sub.empty()) p += "/" + sub;
  return p;
}

}  // namespace nodeagent::cluster
