// ChangeTracker: the ServiceSink the sources feed. It keeps the current Services and
// EndpointSlices, validates cross-object constraints (nodePort uniqueness), counts changes for
// the runner, and renders the ProxyState the compiler reads. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "network/proxy/service_source.h"

namespace nodeagent::network::proxy {

class ChangeTracker : public ServiceSink {
 public:
  explicit ChangeTracker(std::string node_name) : node_name_(std::move(node_name)) {}

  Status upsert_service(ServiceInfo service) override;
  void delete_service(const ObjectName& name) override;
  void upsert_endpoint_slice(EndpointSliceInfo slice) override;
  void delete_endpoint_slice(const ObjectName& name) override;

  // Called (outside the lock) after every effective change, e.g. to wake the runner.
  void set_on_change(std::function<void()> fn);

  // Increases with every effective change; the runner compares it to what it last synced.
  uint64_t generation() const;
  // The current model; endpoints merged from every slice of each Service port, is_local set
  // from nodeName == this node, duplicates (same ip:port) merged keeping the most ready.
  ProxyState snapshot() const;
  std::map<ObjectName, ServiceInfo> services() const;

 private:
  void changed();

  const std::string node_name_;
  mutable std::mutex mu_;
  std::map<ObjectName, ServiceInfo> services_;
  std::map<ObjectName, EndpointSliceInfo> slices_;
  uint64_t generation_ = 0;
  std::function<void()> on_change_;
};

}  // namespace nodeagent::network::proxy
