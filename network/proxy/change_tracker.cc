// ChangeTracker: validation across objects, change counting, and the merge of EndpointSlices
// into per-port endpoint lists (see change_tracker.h).
#include "network/proxy/change_tracker.h"

#include <algorithm>

namespace nodeagent::network::proxy {

Status ChangeTracker::upsert_service(ServiceInfo service) {
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < service.ports.size(); ++i) {
      const auto& port = service.ports[i];
      if (!port.node_port) continue;
      for (const auto& [other_name, other] : services_) {
        if (other_name == service.name) continue;
        for (const auto& op : other.ports) {
          if (op.node_port == port.node_port && op.protocol == port.protocol) {
            return invalid("service " + service.name.to_string() + ": spec.ports[" + std::to_string(i) +
                           "].nodePort: Invalid value: " + std::to_string(port.node_port) +
                           ": provided port is already allocated (to service " + other_name.to_string() + ")");
          }
        }
      }
    }
    auto it = services_.find(service.name);
    if (it != services_.end() && it->second == service) return ok_status();
    services_[service.name] = std::move(service);
  }
  changed();
  return ok_status();
}

void ChangeTracker::delete_service(const ObjectName& name) {
  {
    std::lock_guard lock(mu_);
    if (services_.erase(name) == 0) return;
  }
  changed();
}

void ChangeTracker::upsert_endpoint_slice(EndpointSliceInfo slice) {
  {
    std::lock_guard lock(mu_);
    auto it = slices_.find(slice.name);
    if (it != slices_.end() && it->second == slice) return;
    slices_[slice.name] = std::move(slice);
  }
  changed();
}

void ChangeTracker::delete_endpoint_slice(const ObjectName& name) {
  {
    std::lock_guard lock(mu_);
    if (slices_.erase(name) == 0) return;
  }
  changed();
}

void ChangeTracker::set_on_change(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  on_change_ = std::move(fn);
}

void ChangeTracker::changed() {
  std::function<void()> fn;
  {
    std::lock_guard lock(mu_);
    ++generation_;
    fn = on_change_;
  }
  if (fn) fn();
}

uint64_t ChangeTracker::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::map<ObjectName, ServiceInfo> ChangeTracker::services() const {
  std::lock_guard lock(mu_);
  return services_;
}

ProxyState ChangeTracker::snapshot() const {
  std::lock_guard lock(mu_);
  ProxyState state;
  for (const auto& [name, svc] : services_) {
    for (const auto& port : svc.ports) state.services.emplace(port.name, port);
  }
  for (const auto& [slice_name, slice] : slices_) {
    for (const auto& port : slice.ports) {
      ServicePortName spn{slice.name.ns, slice.service_name, port.name};
      auto svc = state.services.find(spn);
      if (svc == state.services.end() || svc->second.protocol != port.protocol) continue;
      auto& eps = state.endpoints[spn];
      for (const auto& ep : slice.endpoints) {
        // Like kube-proxy, only the first address of an endpoint is used.
        EndpointInfo info{ep.addresses.front(), port.port, ep.ready, ep.serving, ep.terminating,
                          !node_name_.empty() && ep.node_name == node_name_, ep.node_name};
        auto dup = std::find_if(eps.begin(), eps.end(),
                                [&](const EndpointInfo& e) { return e.ip == info.ip && e.port == info.port; });
        if (dup == eps.end()) eps.push_back(std::move(info));
        else if (info.ready && !dup->ready) *dup = std::move(info);
      }
    }
  }
  // Stable order regardless of slice order, so that rules do not churn.
  for (auto& [name, eps] : state.endpoints) {
    std::sort(eps.begin(), eps.end(), [](const EndpointInfo& a, const EndpointInfo& b) {
      return std::tie(a.ip, a.port) < std::tie(b.ip, b.port);
    });
  }
  return state;
}

}  // namespace nodeagent::network::proxy
