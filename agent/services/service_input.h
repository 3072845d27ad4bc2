// The typed, incremental input of the service proxy glue: what any source of Services,
// EndpointSlices and pod readiness calls (the manifest directory through ManifestAdapter, later
// an API server watch). Every call names one object; upserts carry the whole object.
#pragma once

#include <string>

#include "kube/types.h"

namespace nodeagent::services {

class ServiceInput {
 public:
  virtual ~ServiceInput() = default;
  virtual void upsert_service(const kube::Service& service) = 0;
  virtual void delete_service(const std::string& ns, const std::string& name) = 0;
  virtual void upsert_endpoint_slice(const kube::EndpointSlice& slice) = 0;
  virtual void delete_endpoint_slice(const std::string& ns, const std::string& name) = 0;
  // A pod of this node with its current status (IP, Ready condition).
  virtual void upsert_pod(const kube::Pod& pod) = 0;
  virtual void delete_pod(const std::string& uid) = 0;
};

}  // namespace nodeagent::services
