// The kube-proxy half of the agent, wired: typed Services, EndpointSlices and pod readiness in
// (ServiceInput), the proxy's change tracker and runner behind, iptables programmed by the
// runner. Also answers `nodectl services` and `nodectl trace`.
//
// Every input call only queues the change and returns: callers are other components' threads
// (the manifest watcher, the status manager's notifier, which must return quickly). A loop owned
// by ServiceProxy applies the queue in order (ServiceState), recomputes the endpoints of the
// selector Services the changed pods affect, and feeds the change tracker.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/services/service_input.h"
#include "agent/services/service_state.h"
#include "network/proxy/types.h"
#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::network::proxy {
class ChangeTracker;
class Applier;
class Runner;
class Conntrack;
}  // namespace nodeagent::network::proxy
namespace nodeagent::network::iptables {
class Iptables;
}

namespace nodeagent::services {

struct ServiceProxyConfig {
  std::string node_name;
  std::string cluster_cidr;
  std::vector<std::string> nodeport_addresses;
  int min_sync_period_ms = 1000;
  std::string node_ip;  // "" = unknown; for loadBalancerSourceRanges that hold the node
  // After every sync attempt, on the proxy's sync thread (kube-proxy's health servers).
  std::function<void(const network::proxy::ProxyState&, bool ok)> on_synced;
};

class ServiceProxy final : public ServiceInput {
 public:
  // `iptables`: null = the kernel's (KernelIptables, with netfilter conntrack cleanup); tests
  // pass a fake, and then no conntrack is used.
  ServiceProxy(ServiceProxyConfig config, ProblemFn on_problem,
               std::unique_ptr<network::iptables::Iptables> iptables = nullptr);
  ~ServiceProxy() override;

  // Checks the configuration and starts the loop; rules are written only after start_syncing().
  [[nodiscard]] Status start();
  // The first sync waits for the first full view of Services and pods (kube-proxy waits for its
  // informers likewise): syncing earlier would remove the rules of Services not yet read, or
  // REJECT Services whose pods are not known yet, e.g. right after an agent restart. Queued
  // like the input, so it takes effect after everything posted before it.
  void start_syncing();
  // Idempotent: ends the loop (queued changes are dropped) and the runner; the rules stay in
  // the kernel, as with kube-proxy.
  void stop();

  void upsert_service(const kube::Service& service) override;
  void delete_service(const std::string& ns, const std::string& name) override;
  void upsert_endpoint_slice(const kube::EndpointSlice& slice) override;
  void delete_endpoint_slice(const std::string& ns, const std::string& name) override;
  void upsert_pod(const kube::Pod& pod) override;
  void delete_pod(const std::string& uid) override;

  // Blocks until everything posted before the call is applied to the tracker (tests; nodectl
  // views do not need it). False if the loop is not running.
  bool flush();

  nlohmann::json services_json() const;
  Result<std::string> trace(const std::string& service, const std::string& port) const;
  // The tracker the loop feeds (read-only; tests and views).
  const network::proxy::ChangeTracker* tracker() const { return tracker_.get(); }

 private:
  using Op = std::function<void(ServiceState&)>;
  void post(Op op);
  void loop();

  ServiceProxyConfig config_;
  ProblemFn on_problem_;
  std::unique_ptr<network::iptables::Iptables> iptables_;
  bool fake_iptables_ = false;
  std::unique_ptr<network::proxy::ChangeTracker> tracker_;
  std::unique_ptr<network::proxy::Applier> applier_;
  std::unique_ptr<network::proxy::Conntrack> conntrack_;
  std::unique_ptr<network::proxy::Runner> runner_;
  std::unique_ptr<ServiceState> state_;  // touched only on the loop's thread

  std::mutex mu_;
  std::condition_variable cv_;       // the loop waits for work
  std::condition_variable idle_cv_;  // flush() waits for the loop
  std::deque<Op> queue_;
  uint64_t posted_ = 0;   // ops posted so far
  uint64_t applied_ = 0;  // ops applied so far
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nodeagent::services
