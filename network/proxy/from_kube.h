// kube/ objects (already decoded, defaulted and validated by kube/) -> the proxy model. The one
// Service/EndpointSlice decoder is kube's; this only converts, and refuses what the proxy cannot
// program, with errors that name the object and the field:
//   service default/web: spec.clusterIP: Required value (no API server allocates one here)
#pragma once

#include "kube/types.h"
#include "network/proxy/pod_endpoints.h"
#include "network/proxy/types.h"
#include "util/result.h"

namespace nodeagent::network::proxy {

// Runs kube::check_service first. Headless (clusterIP: None) and ExternalName Services are valid
// but have nothing to proxy: they convert to a ServiceInfo with no ports.
Result<ServiceInfo> service_from_kube(const kube::Service& service);

// Runs kube's EndpointSlice validation first; only IPv4 slices are proxied. Endpoint locality is
// decided later, by the tracker that knows this node's name.
Result<EndpointSliceInfo> endpoint_slice_from_kube(const kube::EndpointSlice& slice);

// A pod with its current status, in the shape endpoints_from_pods needs (IP, Ready condition,
// deletionTimestamp, named container ports).
PodForEndpoints pod_from_kube(const kube::Pod& pod);

}  // namespace nodeagent::network::proxy
