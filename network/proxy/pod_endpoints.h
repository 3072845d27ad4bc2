// Endpoints the agent computes from the pods it runs (no control plane): for a Service with a
// selector, every local pod whose labels match becomes an endpoint; targetPort is resolved by
// number or by the pod's named container port, per pod, as the endpoints controller does. The
// result is one EndpointSliceInfo to hand to ServiceSink::upsert_endpoint_slice.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

// What the agent knows about one of its pods, in the shape this needs.
struct PodForEndpoints {
  std::string ns;
  std::string name;
  std::map<std::string, std::string> labels;
  uint32_t ip = 0;           // 0 = no IP yet (skipped)
  bool ready = false;        // the pod's Ready condition
  bool terminating = false;  // deletionTimestamp set
  // containers[].ports[] with a name: name -> (containerPort, protocol)
  std::map<std::string, std::pair<uint16_t, Protocol>> named_ports;
  bool operator==(const PodForEndpoints&) const = default;
};

// The slice is named "<service>-nodeagent-pods" so it never collides with a user's slice.
// A pod that lacks a named targetPort is left out of that port (like the endpoints controller).
EndpointSliceInfo endpoints_from_pods(const ServiceInfo& service, const std::vector<PodForEndpoints>& pods,
                                      const std::string& node_name);

}  // namespace nodeagent::network::proxy
