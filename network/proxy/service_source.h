// The one interface through which Services and endpoints reach the proxy. Every source (the
// manifest directory, the agent's own pods, later the API server's Services + EndpointSlices)
// calls it with whole objects; the proxy works out what changed (kube-proxy's change trackers).
#pragma once

#include "util/result.h"
#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

class ServiceSink {
 public:
  virtual ~ServiceSink() = default;
  // Adds or replaces a Service. Rejects it (keeping the previous version, other Services
  // untouched) when a nodePort is already used by another Service; the error names both.
  virtual Status upsert_service(ServiceInfo service) = 0;
  virtual void delete_service(const ObjectName& name) = 0;
  // Adds or replaces one EndpointSlice (by its own namespace/name). The agent's endpoints
  // computed from local pods come in the same shape, one slice per Service.
  virtual void upsert_endpoint_slice(EndpointSliceInfo slice) = 0;
  virtual void delete_endpoint_slice(const ObjectName& name) = 0;
};

}  // namespace nodeagent::network::proxy
