// v1 Service and discovery.k8s.io/v1 EndpointSlice JSON (as users write them, already parsed
// from YAML/JSON) -> the proxy model, with validation errors that name the object and the field:
//   service default/web: spec.ports[1].name: duplicate port name "http"
#pragma once

#include <nlohmann/json.hpp>

#include "util/result.h"
#include "network/proxy/types.h"

namespace nodeagent::proxy {

// Headless (clusterIP: None) and ExternalName Services are valid but have nothing to proxy:
// they convert to a ServiceInfo with no ports.
Result<ServiceInfo> service_from_json(const nlohmann::json& service);

// Endpoint locality is decided later, by the tracker that knows this node's name.
Result<EndpointSliceInfo> endpoint_slice_from_json(const nlohmann::json& slice);

}  // namespace nodeagent::proxy
