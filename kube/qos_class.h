// The pod QoS class as one enum for the whole agent (kubelet's v1.PodQOSClass). The string form
// is only for the API (status.qosClass); everything else compares the enum. Header-only so that
// lower-level users (runtime/cgroups) need the enum, not the object model.
#pragma once

#include <string_view>

namespace nodeagent::kube {

enum class QosClass { kGuaranteed, kBurstable, kBestEffort };

// status.qosClass: "Guaranteed" | "Burstable" | "BestEffort".
constexpr std::string_view to_string(QosClass qos) {
  switch (qos) {
    case QosClass::kGuaranteed: return "Guaranteed";
    case QosClass::kBurstable: return "Burstable";
    case QosClass::kBestEffort: return "BestEffort";
  }
  return "BestEffort";
}

}  // namespace nodeagent::kube
