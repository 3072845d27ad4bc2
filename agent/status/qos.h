// The pod's QoS class, as v1qos.GetPodQOS: BestEffort with no cpu/memory requests or limits at
// all, Guaranteed when every container limits both cpu and memory and requests equal limits,
// Burstable otherwise. Pure.
#pragma once

#include <string>

#include "agent/kube/types.h"

namespace nodeagent::status {

std::string pod_qos_class(const kube::PodSpec& spec);

}  // namespace nodeagent::status
