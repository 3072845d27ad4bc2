// The pod's QoS class, as upstream computes it (pkg/apis/core/v1/helper/qos): Guaranteed when
// every container (init and app) has cpu and memory limits equal to its requests, BestEffort
// when no container requests or limits cpu or memory, Burstable otherwise.
#pragma once

#include <string>

#include "agent/kube/types.h"

namespace nodeagent::kube {

std::string qos_class(const Pod& pod);

}  // namespace nodeagent::kube
