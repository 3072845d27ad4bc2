// The library side of `nodectl trace SERVICE[:PORT]`: reads the LIVE rules from the kernel
// (through iptables::Iptables, so tests can use a fake) and explains the path a packet to the
// Service takes: which chains, which endpoints, with which probability, affinity, masquerade,
// and where it is rejected or dropped. It trusts the kernel, not the agent's intent, so it also
// shows what a stale or foreign rule does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/result.h"
#include "network/iptables/table.h"
#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

struct TraceEndpoint {
  std::string chain;         // KUBE-SEP-...
  std::string destination;   // DNAT target "ip:port"
  double probability = 0;    // of being picked for a new connection without affinity
  bool affinity = false;     // a `recent` check sends returning clients here
};

// The path for one entry point (cluster IP, a NodePort, an external IP).
struct TracePath {
  std::string entry;                 // "cluster IP 172.30.0.10:80/tcp", "node port 30080/tcp", ...
  std::vector<std::string> steps;    // "nat KUBE-SERVICES rule 3 -> KUBE-SVC-...", ...
  std::vector<TraceEndpoint> endpoints;
  std::string verdict;               // "load-balanced", "REJECT (filter KUBE-SERVICES rule 1)", "no rule matches"
};

struct TraceResult {
  std::string service;  // "ns/name:port"
  std::vector<TracePath> paths;
};

// `target` is "ns/name", "name" (namespace default), optionally ":port" (name or number).
Result<std::vector<TraceResult>> trace_service(iptables::Iptables& ipt, const std::map<ObjectName, ServiceInfo>& services,
                                               const std::string& target);

std::string format_trace(const std::vector<TraceResult>& results);

}  // namespace nodeagent::network::proxy
