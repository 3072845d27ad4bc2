// What the API accepts but this agent cannot run (see validation.h: unsupported_features).
#include "kube/validation.h"

namespace nodeagent::kube {

ErrorList unsupported_features(const Pod& pod) {
  ErrorList errs;
  for (size_t i = 0; i < pod.spec.volumes.size(); ++i) {
    const Volume& v = pod.spec.volumes[i];
    const std::string path = "spec.volumes[" + std::to_string(i) + "]";
    if (v.unsupported) {
      errs.push_back(forbidden(path + "." + v.unsupported->type, "volume type not supported by this node"));
    }
    if (v.projected) {
      for (size_t j = 0; j < v.projected->sources.size(); ++j) {
        if (!v.projected->sources[j].cluster_trust_bundle.empty()) {
          errs.push_back(forbidden(path + ".projected.sources[" + std::to_string(j) + "].clusterTrustBundle",
                                   "projection not supported by this node"));
        }
      }
    }
  }
  if (!pod.spec.ephemeral_containers.empty() && pod.spec.ephemeral_containers != "[]") {
    errs.push_back(forbidden("spec.ephemeralContainers", "ephemeral containers are not supported by this node"));
  }
  return errs;
}

}  // namespace nodeagent::kube
