// Test helper: Services and EndpointSlices written as JSON (the fixtures, inline test objects)
// go through kube's decoder (defaults included) and then the proxy's conversion, the same path
// manifest files take. apiVersion/kind are filled in when a test leaves them out.
#pragma once

#include <nlohmann/json.hpp>

#include "kube/decode.h"
#include "network/proxy/from_kube.h"

namespace proxytest {

inline nlohmann::json with_kind(nlohmann::json doc, const char* api_version, const char* kind) {
  if (doc.is_object()) {
    if (!doc.contains("apiVersion")) doc["apiVersion"] = api_version;
    if (!doc.contains("kind")) doc["kind"] = kind;
  }
  return doc;
}

inline nodeagent::Result<nodeagent::kube::Service> decode_service(const nlohmann::json& doc) {
  NA_ASSIGN_OR_RETURN(auto decoded, nodeagent::kube::decode_service(with_kind(doc, "v1", "Service")));
  return decoded.object;
}

inline nodeagent::Result<nodeagent::kube::EndpointSlice> decode_slice(const nlohmann::json& doc) {
  NA_ASSIGN_OR_RETURN(auto decoded,
                      nodeagent::kube::decode_endpoint_slice(with_kind(doc, "discovery.k8s.io/v1", "EndpointSlice")));
  return decoded.object;
}

inline nodeagent::Result<nodeagent::network::proxy::ServiceInfo> service_from_json(const nlohmann::json& doc) {
  NA_ASSIGN_OR_RETURN(auto svc, decode_service(doc));
  return nodeagent::network::proxy::service_from_kube(svc);
}

inline nodeagent::Result<nodeagent::network::proxy::EndpointSliceInfo> endpoint_slice_from_json(const nlohmann::json& doc) {
  NA_ASSIGN_OR_RETURN(auto slice, decode_slice(doc));
  return nodeagent::network::proxy::endpoint_slice_from_kube(slice);
}

}  // namespace proxytest
