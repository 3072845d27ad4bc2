// A NetlinkOps that records the kernel state it was asked for (links, bridge ports, routes,
// sysctls) and fails on demand, for unit tests of NodePodNetwork.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network/netlink/netlink_ops.h"
#include "network/nat/pod_nat.h"

namespace nodeagent::network {

struct FakeNetlinkOps : NetlinkOps {
  std::optional<BridgeSpec> bridge;
  std::vector<RouteSpec> routes;
  std::map<std::string, std::string> sysctls;
  std::set<std::string> missing_sysctls{"net/bridge/bridge-nf-call-iptables"};
  std::map<std::string, PodInterfaceSpec> pod_links;  // host ifname -> spec
  std::vector<std::string> extra_bridge_ports;
  std::optional<Error> fail_pod_interface;
  int deletes = 0;

  Status ensure_bridge(const BridgeSpec& spec) override {
    bridge = spec;
    return ok_status();
  }
  Status ensure_route(const RouteSpec& spec) override {
    std::erase_if(routes, [&](const RouteSpec& r) { return r.destination == spec.destination; });
    routes.push_back(spec);
    return ok_status();
  }
  Result<std::vector<RouteSpec>> pod_routes() override { return routes; }
  Status delete_route(const Ipv4Cidr& destination) override {
    std::erase_if(routes, [&](const RouteSpec& r) { return r.destination == destination; });
    return ok_status();
  }
  Status set_sysctl(const std::string& key, const std::string& value) override {
    if (missing_sysctls.contains(key)) return not_found("sysctl " + key + ": not available");
    sysctls[key] = value;
    return ok_status();
  }
  Status ensure_pod_interface(const PodInterfaceSpec& spec) override {
    if (fail_pod_interface) {
      pod_links[spec.host_ifname] = spec;  // half-made: the caller must clean it up
      return *fail_pod_interface;
    }
    pod_links[spec.host_ifname] = spec;
    return ok_status();
  }
  Status delete_link(const std::string& name) override {
    ++deletes;
    pod_links.erase(name);
    std::erase(extra_bridge_ports, name);
    return ok_status();
  }
  Result<std::vector<std::string>> bridge_ports(const std::string&) override {
    std::vector<std::string> ports = extra_bridge_ports;
    for (const auto& [name, spec] : pod_links) ports.push_back(name);
    return ports;
  }
};

// Records hostPort rules per pod and rejects conflicts, like the real one must.
struct FakePodNat : PodNat {
  std::optional<std::pair<Ipv4Cidr, Ipv4Cidr>> masquerade;
  std::map<std::string, std::pair<std::string, std::vector<HostPortMapping>>> ports;  // uid -> (pod, mappings)

  Status ensure_masquerade(const Ipv4Cidr& pod_cidr, const Ipv4Cidr& cluster_cidr) override {
    masquerade = {pod_cidr, cluster_cidr};
    return ok_status();
  }
  int checks = 0;
  Status check_host_ports(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) override {
    ++checks;
    return conflict(pod_uid, mappings);
  }
  Status set_host_ports(const std::string& pod_uid, const std::string& pod_ref, Ipv4,
                        const std::vector<HostPortMapping>& mappings) override {
    NA_RETURN_IF_ERROR(conflict(pod_uid, mappings));
    if (mappings.empty()) ports.erase(pod_uid);
    else ports[pod_uid] = {pod_ref, mappings};
    return ok_status();
  }
  Status conflict(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) const {
    for (const auto& [uid, entry] : ports) {
      if (uid == pod_uid) continue;
      for (const auto& theirs : entry.second) {
        for (const auto& mine : mappings) {
          if (mine.host_port == theirs.host_port && mine.protocol == theirs.protocol) {
            return Error{ErrorCode::kAlreadyExists, "hostPort " + std::to_string(mine.host_port) + "/" +
                                                        mine.protocol + " is already used by pod " + entry.first};
          }
        }
      }
    }
    return ok_status();
  }
  Status remove_host_ports(const std::string& pod_uid) override {
    ports.erase(pod_uid);
    return ok_status();
  }
  Status retain_host_ports(const std::set<std::string>& live) override {
    std::erase_if(ports, [&](const auto& e) { return !live.contains(e.first); });
    return ok_status();
  }
};

}  // namespace nodeagent::network
