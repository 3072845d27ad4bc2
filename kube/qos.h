// The pod's QoS class, as upstream computes it (pkg/apis/core/v1/helper/qos GetPodQOS): only
// cpu and memory count, zero quantities count as unset. BestEffort when no container requests
// or limits either; Guaranteed when every container (init and app) limits both and the summed
// requests equal the summed limits; Burstable otherwise.
#pragma once

#include "kube/qos_class.h"
#include "kube/types.h"

namespace nodeagent::kube {

QosClass qos_class(const PodSpec& spec);
inline QosClass qos_class(const Pod& pod) { return qos_class(pod.spec); }

}  // namespace nodeagent::kube
