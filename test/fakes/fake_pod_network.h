// In-memory PodNetwork for the agent's unit tests: hands out 10.244.0.x addresses, records
// every call, and fails the next call of a kind when told to.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network/pod/pod_network.h"

namespace nodeagent::fakes {

class FakePodNetwork : public network::PodNetwork {
 public:
  std::string node_ip = "192.168.50.1";

  // Errors returned (once) by the next call of that kind.
  std::optional<Error> fail_next_setup;
  std::optional<Error> fail_next_teardown;

  Result<network::PodNetworkStatus> setup(const network::PodNetworkRequest& request) override {
    std::lock_guard lock(mu_);
    setups.push_back(request);
    if (fail_next_setup) {
      Error e = *fail_next_setup;
      fail_next_setup.reset();
      return e;
    }
    if (request.host_network) return network::PodNetworkStatus{{node_ip}, node_ip};
    auto& ip = ips_[request.pod_uid];
    if (ip.empty()) ip = "10.244.0." + std::to_string(next_host_++);
    return network::PodNetworkStatus{{ip}, node_ip};
  }

  Status teardown(const std::string& pod_uid, const std::string& netns_path) override {
    std::lock_guard lock(mu_);
    teardowns.push_back(pod_uid);
    (void)netns_path;
    if (fail_next_teardown) {
      Error e = *fail_next_teardown;
      fail_next_teardown.reset();
      return e;
    }
    ips_.erase(pod_uid);
    return ok_status();
  }

  Result<network::PodNetworkStatus> status(const std::string& pod_uid) override {
    std::lock_guard lock(mu_);
    auto it = ips_.find(pod_uid);
    if (it == ips_.end()) return not_found("pod uid=" + pod_uid + ": no pod IP allocated");
    return network::PodNetworkStatus{{it->second}, node_ip};
  }

  Status garbage_collect(const std::set<std::string>& live_pod_uids) override {
    std::lock_guard lock(mu_);
    gc_calls.push_back(live_pod_uids);
    std::erase_if(ips_, [&](const auto& entry) { return !live_pod_uids.contains(entry.first); });
    return ok_status();
  }

  Status sync_node() override {
    std::lock_guard lock(mu_);
    ++node_syncs;
    return ok_status();
  }

  Status set_routes(const std::vector<network::PodCidrRoute>& new_routes) override {
    std::lock_guard lock(mu_);
    routes = new_routes;
    return ok_status();
  }

  // UIDs that hold an IP right now.
  std::set<std::string> pods_with_ip() const {
    std::lock_guard lock(mu_);
    std::set<std::string> out;
    for (const auto& [uid, ip] : ips_) out.insert(uid);
    return out;
  }

  // Recorded calls, for assertions.
  std::vector<network::PodNetworkRequest> setups;
  std::vector<std::string> teardowns;
  std::vector<std::set<std::string>> gc_calls;
  int node_syncs = 0;
  std::vector<network::PodCidrRoute> routes;  // as last set by set_routes()

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> ips_;
  int next_host_ = 2;
};

}  // namespace nodeagent::fakes
