// What the streaming endpoints need from the rest of the agent: which container or pod a
// request names, and the runtime to run things in. The daemon implements it over its pod
// manager and runtime; tests implement it over a private containerd.
#pragma once

#include <string>

#include "runtime/runtime.h"
#include "util/result.h"

namespace nodeagent::nodeapi::streaming {

class StreamingBackend {
 public:
  virtual ~StreamingBackend() = default;
  // The runtime id of a running pod's container (uid "" = whatever pod has that name). NotFound
  // with kubelet's wording ("pod does not exist", "container not found (\"c\")") otherwise.
  virtual Result<std::string> container_id(const std::string& ns, const std::string& pod, const std::string& uid,
                                           const std::string& container) = 0;
  // The path of the pod's network namespace ("" = the node's own, for hostNetwork pods).
  virtual Result<std::string> pod_netns(const std::string& ns, const std::string& pod, const std::string& uid) = 0;
  virtual runtime::ContainerService& containers() = 0;
};

}  // namespace nodeagent::nodeapi::streaming
