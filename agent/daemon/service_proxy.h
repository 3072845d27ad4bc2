// The kube-proxy half of the daemon, wired: Services and EndpointSlices from the manifest
// directory, endpoints computed from the pods this node runs (label selector, pod IP, Ready
// condition, named ports), all fed to the proxy's change tracker; the runner programs iptables.
// Also answers `nodectl services` and `nodectl trace`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::proxy {
class ChangeTracker;
class Applier;
class Runner;
class Conntrack;
}  // namespace nodeagent::proxy
namespace nodeagent::iptables {
class Iptables;
}

namespace nodeagent::daemon {

struct ServiceProxyConfig {
  std::string node_name;
  std::string cluster_cidr;
  std::vector<std::string> nodeport_addresses;
  int min_sync_period_ms = 1000;
  std::string node_ip;  // "" = unknown; for loadBalancerSourceRanges that hold the node
};

class ServiceProxy {
 public:
  // problem(object, message): a Service or EndpointSlice that was refused (for events).
  using ProblemFn = std::function<void(const std::string& object, const std::string& message)>;
  ServiceProxy(ServiceProxyConfig config, ProblemFn on_problem);
  ~ServiceProxy();

  // Sets the proxy up; rules are written only after start_syncing().
  Status start();
  // The first sync waits for the first full view of Services and pods (kube-proxy waits for its
  // informers likewise): syncing earlier would remove the rules of Services not yet read, or
  // REJECT Services whose pods are not known yet, e.g. right after an agent restart.
  void start_syncing();
  void stop();

  // The full set from the manifest directory; what is gone is deleted.
  void set_manifest_objects(const std::vector<kube::Service>& services, const std::vector<kube::EndpointSlice>& slices);
  // The node's pods with their current status; recomputes the endpoints of selector Services.
  void set_pods(const std::vector<kube::Pod>& pods);

  nlohmann::json services_json() const;
  Result<std::string> trace(const std::string& service, const std::string& port) const;

 private:
  void refresh_pod_endpoints_locked();

  ServiceProxyConfig config_;
  ProblemFn on_problem_;
  std::unique_ptr<iptables::Iptables> iptables_;
  std::unique_ptr<proxy::ChangeTracker> tracker_;
  std::unique_ptr<proxy::Applier> applier_;
  std::unique_ptr<proxy::Conntrack> conntrack_;
  std::unique_ptr<proxy::Runner> runner_;

  mutable std::mutex mu_;
  std::map<std::string, std::string> services_;     // "ns/name" -> JSON text (change detection)
  std::map<std::string, std::string> slices_;
  std::map<std::string, std::string> last_errors_;  // object -> message, reported once
  std::vector<kube::Pod> pods_;
  std::map<std::string, bool> pod_slices_;          // services with a pod-computed slice
  bool syncing_ = false;
};

}  // namespace nodeagent::daemon
