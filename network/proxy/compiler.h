// The pure half of the proxier: Services + endpoints -> the complete desired ruleset (nat and
// filter, plus the canary chains), with kube-proxy's chain names and rule layout. No system
// access; the same input always gives the same output, in the same order.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network/iptables/rule.h"
#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

enum class TableId { kNat, kFilter, kMangle };
const char* table_name(TableId t);

struct CompilerConfig {
  // --cluster-cidr: traffic from outside it to a ClusterIP is masqueraded; empty = never.
  std::optional<iptables::Cidr> cluster_cidr;
  bool masquerade_all = false;
  // --nodeport-addresses; empty = every local address (addrtype LOCAL).
  std::vector<iptables::Cidr> nodeport_addresses;
  uint32_t masquerade_bit = 14;  // mark 0x4000
  // The node's IP: a loadBalancerSourceRange holding it lets the node reach the LB IPs itself.
  std::optional<uint32_t> node_ip;
  // Above this many endpoints kube-proxy drops per-endpoint comments (largeClusterMode).
  size_t large_cluster_endpoints_threshold = 1000;
};

// Receives the ruleset as it is produced. Chains arrive in dependency order: a chain is emitted
// before any chain that jumps to it, so an applier can create and fill chains as they come.
class RulesetSink {
 public:
  virtual ~RulesetSink() = default;
  virtual void chain(TableId table, const std::string& name, const std::vector<iptables::Rule>& rules) = 0;
  // A rule that must be present in a built-in chain (PREROUTING, OUTPUT, ...), first position.
  virtual void jump(TableId table, const std::string& builtin_chain, const iptables::Rule& rule) = 0;
  // The per-service chains that follow (until the next call) belong to this Service port.
  virtual void begin_service(const ServicePortName& /*name*/) {}
  // Partial compile: this Service port's own chains were not rebuilt; whatever the kernel holds
  // for them (the chains this sink saw for it last time) stays.
  virtual void keep_service(const ServicePortName& /*name*/) {}
};

// `only`: when given, per-service chains are built only for these Service ports and the others
// are announced with keep_service() (kube-proxy's partial sync), so that a partial compile costs
// per changed Service, not per chain; the shared chains (KUBE-SERVICES, KUBE-NODEPORTS, filter)
// are always complete. Whether comments are dropped (large cluster)
// depends on the whole state, so callers recompile everything when that flips.
// `keep_shared` (with `only`): the shared chains are not emitted either (they stay as they are),
// and kept Services cost nothing at all; for callers that know no Service's entry points changed
// (same_entry_points() for every changed one, none added or removed).
void compile(const ProxyState& state, const CompilerConfig& config, RulesetSink& sink,
             const std::set<ServicePortName>* only = nullptr, bool keep_shared = false);
// Whether a Service port contributes the same rules to the shared chains with either endpoint
// list: same definition, and the same answers to "any usable endpoint / any for the internal /
// any for the external policy".
bool same_entry_points(const ServicePortInfo& svc_a, const std::vector<EndpointInfo>& eps_a,
                       const ServicePortInfo& svc_b, const std::vector<EndpointInfo>& eps_b);
// kube-proxy's largeClusterMode: more endpoints than the threshold.
bool is_large_cluster(const ProxyState& state, const CompilerConfig& config);

// The whole ruleset in memory (tests, tracer, small tables).
struct Ruleset {
  struct Table {
    std::vector<iptables::Chain> chains;
    std::vector<std::pair<std::string, iptables::Rule>> jumps;
  };
  Table nat, filter, mangle;
  Table& table(TableId id) { return id == TableId::kNat ? nat : id == TableId::kFilter ? filter : mangle; }
  const iptables::Chain* find(TableId id, const std::string& chain) const;
};
Ruleset compile_ruleset(const ProxyState& state, const CompilerConfig& config);

// iptables-save-like text of one table: ":CHAIN - [0:0]" lines sorted by name, then the jumps
// from built-in chains, then every rule. Used by golden tests and to compare with the kernel.
std::string format_table(const Ruleset::Table& table);

}  // namespace nodeagent::network::proxy
