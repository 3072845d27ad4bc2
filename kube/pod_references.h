// Which ConfigMaps and Secrets a pod reads, so that a change of one wakes exactly the pods that
// show it: volumes (configMap, secret, projected sources) and containers' env (valueFrom
// configMapKeyRef/secretKeyRef, envFrom), init containers included. The Node authorizer's graph
// follows the same edges.
#pragma once

#include <string>

#include "kube/types.h"

namespace nodeagent::kube {

// kind is "ConfigMap" or "Secret" (ObjectChange::kind); the pod's namespace must be `ns`.
bool pod_references(const Pod& pod, const std::string& kind, const std::string& ns, const std::string& name);

}  // namespace nodeagent::kube
