// Rule layout follows kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go, syncProxyRules):
//   nat    KUBE-SERVICES -> KUBE-SVC-/KUBE-SVL- -> KUBE-SEP- (statistic random, DNAT),
//          KUBE-NODEPORTS / external IPs / LB IPs -> KUBE-EXT- -> policy chain,
//          KUBE-MARK-MASQ sets 0x4000, KUBE-POSTROUTING masquerades marked packets.
//   filter KUBE-SERVICES / KUBE-EXTERNAL-SERVICES reject Services without endpoints at once,
//          KUBE-FORWARD accepts marked and established traffic.
//   loadBalancerSourceRanges: LB IP -> KUBE-FW- (allowed sources -> KUBE-EXT-); what falls
//          through is not DNATed and is dropped by filter KUBE-PROXY-FIREWALL.
#include "network/proxy/compiler.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "network/iptables/save_format.h"
#include "network/proxy/chain_names.h"

namespace nodeagent::network::proxy {

using iptables::AddrTypeMatch;
using iptables::Cidr;
using iptables::CommentMatch;
using iptables::ConntrackStateMatch;
using iptables::DnatTarget;
using iptables::JumpTarget;
using iptables::MarkMatch;
using iptables::MarkTarget;
using iptables::MasqueradeTarget;
using iptables::PortMatch;
using iptables::RecentMatch;
using iptables::RejectTarget;
using iptables::Rule;
using iptables::StatisticRandomMatch;
using iptables::VerdictTarget;

const char* table_name(TableId t) {
  switch (t) {
    case TableId::kNat: return "nat";
    case TableId::kFilter: return "filter";
    case TableId::kMangle: break;
  }
  return "mangle";
}

namespace {

Rule jump(const std::string& chain) {
  Rule r;
  r.target = JumpTarget{chain};
  return r;
}

Rule& comment(Rule& r, const std::string& text) {
  r.matches.push_back(CommentMatch{text});
  return r;
}

// "-d ip/32 -p proto"; the caller adds the comment and then the port match, in kube-proxy's order.
Rule to_port(std::optional<uint32_t> dst, Protocol p) {
  Rule r;
  if (dst) r.dst = Cidr{*dst, 32};
  r.protocol = p;
  return r;
}
void add_port_match(Rule& r, Protocol p, uint16_t dport) { r.matches.push_back(PortMatch{p, dport, 0}); }

// kube-proxy writes probabilities with %0.10f; iptables parses that text, so round the same way.
// Remembered per n: a full sync at 10k Services asks for 90k of them, and the text round trip
// showed in its profile.
StatisticRandomMatch probability(size_t n) {
  auto compute = [](size_t k) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0.10f", 1.0 / static_cast<double>(k));
    return StatisticRandomMatch::from_probability(std::strtod(buf, nullptr));
  };
  constexpr size_t kRemembered = 256;
  thread_local std::vector<std::optional<StatisticRandomMatch>> memo(kRemembered);
  if (n >= kRemembered) return compute(n);
  if (!memo[n]) memo[n] = compute(n);
  return *memo[n];
}

struct Categorized {
  std::vector<const EndpointInfo*> cluster;  // for the cluster policy chain
  std::vector<const EndpointInfo*> local;    // for the local policy chain
  std::vector<const EndpointInfo*> all;      // every endpoint that gets a KUBE-SEP chain
};

// kube-proxy's CategorizeEndpoints: ready endpoints; terminating (but serving) ones only as a
// fallback when none is ready.
Categorized categorize(const ServicePortInfo& svc, const std::vector<EndpointInfo>& eps) {
  auto pick = [&](bool local_only) {
    std::vector<const EndpointInfo*> ready, fallback;
    for (const auto& ep : eps) {
      if (local_only && !ep.is_local) continue;
      if (ep.ready) ready.push_back(&ep);
      else if (ep.serving && ep.terminating) fallback.push_back(&ep);
    }
    return ready.empty() ? fallback : ready;
  };
  Categorized c;
  // External traffic from pods and from the node itself short-circuits to the cluster chain
  // even under externalTrafficPolicy: Local, so any external entry point needs it.
  const bool needs_cluster = !svc.internal_policy_local || svc.has_external();
  const bool needs_local = svc.internal_policy_local || (svc.has_external() && svc.external_policy_local);
  if (needs_cluster) c.cluster = pick(false);
  if (needs_local) c.local = pick(true);
  std::set<const EndpointInfo*> seen;
  for (auto* list : {&c.cluster, &c.local}) {
    for (const auto* ep : *list) {
      if (seen.insert(ep).second) c.all.push_back(ep);
    }
  }
  return c;
}

class Compiler {
 public:
  Compiler(const ProxyState& state, const CompilerConfig& config, RulesetSink& sink,
           const std::set<ServicePortName>* only, bool keep_shared)
      : state_(state), config_(config), sink_(sink), only_(only), keep_shared_(only && keep_shared),
        mark_(1u << config.masquerade_bit),
        large_cluster_(is_large_cluster(state, config)) {}

  void run() {
    static const std::vector<Rule> kEmpty;
    for (TableId t : {TableId::kMangle, TableId::kNat, TableId::kFilter}) sink_.chain(t, kCanaryChain, kEmpty);
    base_nat();
    base_filter();
    for (const auto& [name, svc] : state_.services) {
      keep_ = only_ && !only_->count(name);
      if (keep_ && keep_shared_) sink_.keep_service(name);
      else service(svc);
    }
    if (keep_shared_) return;
    // Must be the last rule of KUBE-SERVICES (nat).
    if (config_.nodeport_addresses.empty()) {
      Rule r = jump(kNodePortsChain);
      comment(r, "kubernetes service nodeports; NOTE: this must be the last rule in this chain");
      r.matches.push_back(AddrTypeMatch{false, true, false, false});
      nat_services_.push_back(std::move(r));
    } else {
      for (const auto& cidr : config_.nodeport_addresses) {
        Rule r = jump(kNodePortsChain);
        r.dst = cidr;
        comment(r, "kubernetes service nodeports; NOTE: this must be the last rule in this chain");
        nat_services_.push_back(std::move(r));
      }
    }
    sink_.chain(TableId::kNat, kNodePortsChain, nat_nodeports_);
    sink_.chain(TableId::kNat, kServicesChain, nat_services_);
    sink_.chain(TableId::kFilter, kServicesChain, filter_services_);
    sink_.chain(TableId::kFilter, kExternalServicesChain, filter_external_);
    sink_.chain(TableId::kFilter, kProxyFirewallChain, filter_firewall_);
  }

 private:
  void base_nat() {
    Rule mark_masq;
    mark_masq.target = MarkTarget::or_mark(mark_);
    sink_.chain(TableId::kNat, kMarkMasqChain, {mark_masq});

    Rule not_marked;
    not_marked.matches.push_back(MarkMatch{mark_, mark_, true});
    not_marked.target = VerdictTarget{VerdictTarget::kReturn};
    Rule clear_mark;  // so that a re-traversal (e.g. IPsec) does not masquerade twice
    clear_mark.target = MarkTarget::xor_mark(mark_);
    Rule masq;
    comment(masq, "kubernetes service traffic requiring SNAT");
    masq.target = MasqueradeTarget{true};
    sink_.chain(TableId::kNat, kPostroutingChain, {not_marked, clear_mark, masq});

    for (const char* builtin : {"PREROUTING", "OUTPUT"}) {
      Rule r = jump(kServicesChain);
      sink_.jump(TableId::kNat, builtin, comment(r, "kubernetes service portals"));
    }
    Rule post = jump(kPostroutingChain);
    sink_.jump(TableId::kNat, "POSTROUTING", comment(post, "kubernetes postrouting rules"));
  }

  void base_filter() {
    static const std::vector<Rule> kEmpty;
    sink_.chain(TableId::kFilter, kNodePortsChain, kEmpty);       // health check ports (none yet)

    Rule invalid;
    invalid.matches.push_back(ConntrackStateMatch{ConntrackStateMatch::kInvalid});
    invalid.target = VerdictTarget{VerdictTarget::kDrop};
    Rule marked;
    comment(marked, "kubernetes forwarding rules");
    marked.matches.push_back(MarkMatch{mark_, mark_, false});
    marked.target = VerdictTarget{VerdictTarget::kAccept};
    Rule established;
    comment(established, "kubernetes forwarding conntrack rule");
    established.matches.push_back(
        ConntrackStateMatch{ConntrackStateMatch::kRelated | ConntrackStateMatch::kEstablished});
    established.target = VerdictTarget{VerdictTarget::kAccept};
    sink_.chain(TableId::kFilter, kForwardChain, {invalid, marked, established});

    auto new_conn = [](const char* chain, const char* text) {
      Rule r = jump(chain);
      r.matches.push_back(ConntrackStateMatch{ConntrackStateMatch::kNew});
      return comment(r, text);
    };
    for (const char* builtin : {"INPUT", "FORWARD", "OUTPUT"})
      sink_.jump(TableId::kFilter, builtin, new_conn(kProxyFirewallChain, "kubernetes load balancer firewall"));
    sink_.jump(TableId::kFilter, "INPUT", new_conn(kExternalServicesChain, "kubernetes externally-visible service portals"));
    Rule fwd = jump(kForwardChain);
    sink_.jump(TableId::kFilter, "FORWARD", comment(fwd, "kubernetes forwarding rules"));
    sink_.jump(TableId::kFilter, "FORWARD", new_conn(kServicesChain, "kubernetes service portals"));
    sink_.jump(TableId::kFilter, "FORWARD", new_conn(kExternalServicesChain, "kubernetes externally-visible service portals"));
    sink_.jump(TableId::kFilter, "OUTPUT", new_conn(kServicesChain, "kubernetes service portals"));
  }

  // "-j REJECT" for no endpoints at all, "-j DROP" when only the local policy has none.
  iptables::Target no_endpoint_target(bool has_any) const {
    if (has_any) return VerdictTarget{VerdictTarget::kDrop};
    return RejectTarget{};
  }
  std::string no_endpoint_comment(const std::string& svc_name, bool has_any) const {
    return svc_name + (has_any ? " has no local endpoints" : " has no endpoints");
  }

  void service(const ServicePortInfo& svc) {
    static const std::vector<EndpointInfo> kNone;
    auto it = state_.endpoints.find(svc.name);
    const auto& eps = it == state_.endpoints.end() ? kNone : it->second;
    const Categorized cat = categorize(svc, eps);
    const Protocol p = svc.protocol;

    // Names are hashes: compute only those this Service uses.
    const bool uses_svl = svc.internal_policy_local || svc.external_policy_local;
    const std::string svc_chain = service_chain(svc.name, p);
    const std::string svl_chain = uses_svl ? service_local_chain(svc.name, p) : std::string();
    const std::string ext_chain = svc.has_external() ? external_chain(svc.name, p) : std::string();
    // Any usable endpoint anywhere (kube-proxy's hasAnyEndpoints): decides REJECT vs DROP.
    const bool has_endpoints = std::any_of(eps.begin(), eps.end(), [](const EndpointInfo& e) {
      return e.ready || (e.serving && e.terminating);
    });
    const auto& internal_eps = svc.internal_policy_local ? cat.local : cat.cluster;
    const auto& external_eps = svc.external_policy_local ? cat.local : cat.cluster;
    const std::string& internal_chain = svc.internal_policy_local ? svl_chain : svc_chain;
    const bool has_internal = !internal_eps.empty();
    const bool has_external = !external_eps.empty();

    // loadBalancerSourceRanges filter the LB IPs (not NodePorts, as in kube-proxy).
    const bool uses_fw = has_endpoints && !svc.load_balancer_ips.empty() && !svc.load_balancer_source_ranges.empty();
    const std::string fw_chain = uses_fw ? firewall_chain(svc.name, p) : std::string();

    if (keep_) {
      sink_.keep_service(svc.name);
    } else {
      per_service_chains(svc, cat, svc_chain, svl_chain, ext_chain, has_endpoints);
      if (uses_fw) firewall_chain_rules(svc, fw_chain, ext_chain);
    }
    if (!keep_shared_) entry_points(svc, internal_chain, ext_chain, fw_chain, has_internal, has_external, has_endpoints);
  }

  // KUBE-FW-: allowed sources go on to KUBE-EXT-; the rest returns un-DNATed, and filter's
  // KUBE-PROXY-FIREWALL drops it. (kube-proxy's last rule has no target at all; a RETURN at the
  // end of a chain does the same.)
  void firewall_chain_rules(const ServicePortInfo& svc, const std::string& fw_chain, const std::string& ext_chain) {
    const std::string name = svc.name.to_string();
    std::vector<Rule> rules;
    bool allow_from_node = false;
    for (const auto& range : svc.load_balancer_source_ranges) {
      Rule r = jump(ext_chain);
      r.src = range;
      rules.push_back(comment(r, name + " loadbalancer IP"));
      const uint32_t mask = range.prefix == 0 ? 0 : ~0u << (32 - range.prefix);
      if (config_.node_ip && (*config_.node_ip & mask) == (range.addr & mask)) allow_from_node = true;
    }
    // A VIP that is also a local address: the node's own requests arrive from the VIP.
    if (allow_from_node) {
      for (uint32_t ip : svc.load_balancer_ips) {
        Rule r = jump(ext_chain);
        r.src = Cidr{ip, 32};
        rules.push_back(comment(r, name + " loadbalancer IP"));
      }
    }
    Rule rest;
    rest.target = VerdictTarget{VerdictTarget::kReturn};
    rules.push_back(comment(rest, "other traffic to " + name + " will be dropped by KUBE-PROXY-FIREWALL"));
    sink_.chain(TableId::kNat, fw_chain, rules);
  }

  // 1-3: the Service port's own chains (KUBE-SEP-, KUBE-SVC-/KUBE-SVL-, KUBE-EXT-).
  void per_service_chains(const ServicePortInfo& svc, const Categorized& cat, const std::string& svc_chain,
                          const std::string& svl_chain, const std::string& ext_chain, bool has_endpoints) {
    const std::string name = svc.name.to_string();
    const Protocol p = svc.protocol;
    const auto& external_eps = svc.external_policy_local ? cat.local : cat.cluster;
    const bool has_external = !external_eps.empty();
    const bool uses_cluster_chain = !cat.cluster.empty();
    const bool uses_local_chain = !cat.local.empty() && (svc.internal_policy_local || svc.external_policy_local);
    sink_.begin_service(svc.name);
    name_endpoints(svc, cat.all);
    // 1. KUBE-SEP- chains, one per endpoint.
    for (const auto* ep : cat.all) endpoint_chain_rules(svc, *ep);
    // 2. Policy chains.
    if (uses_cluster_chain) {
      std::vector<Rule> rules;
      if (config_.masquerade_all || config_.cluster_cidr) {
        Rule masq = to_port(svc.cluster_ip, p);
        if (!config_.masquerade_all) {
          masq.src = *config_.cluster_cidr;
          masq.invert_src = true;
        }
        comment(masq, name + " cluster IP");
        add_port_match(masq, p, svc.port);
        masq.target = JumpTarget{kMarkMasqChain};
        rules.push_back(std::move(masq));
      }
      endpoint_jumps(svc, cat.cluster, rules);
      sink_.chain(TableId::kNat, svc_chain, rules);
    }
    if (uses_local_chain) {
      std::vector<Rule> rules;
      endpoint_jumps(svc, cat.local, rules);
      sink_.chain(TableId::kNat, svl_chain, rules);
    }
    // 3. KUBE-EXT- chain for NodePort, external IPs and LB IPs: whenever the Service has any
    // endpoint, since under externalTrafficPolicy: Local traffic from pods and from the node
    // itself short-circuits to the cluster chain even without a local endpoint (kube-proxy's
    // usesExternalTrafficChain); other traffic falls through and filter drops it.
    if (svc.has_external() && has_endpoints) {
      std::vector<Rule> rules;
      if (svc.external_policy_local) {
        if (config_.cluster_cidr && uses_cluster_chain) {
          Rule pods = jump(svc_chain);
          pods.src = *config_.cluster_cidr;
          rules.push_back(comment(pods, "pod traffic for " + name + " external destinations"));
        }
        if (uses_cluster_chain) {
          Rule masq = jump(kMarkMasqChain);
          comment(masq, "masquerade LOCAL traffic for " + name + " external destinations");
          masq.matches.push_back(AddrTypeMatch{true, false, false, false});
          rules.push_back(std::move(masq));
          Rule route = jump(svc_chain);
          comment(route, "route LOCAL traffic for " + name + " external destinations");
          route.matches.push_back(AddrTypeMatch{true, false, false, false});
          rules.push_back(std::move(route));
        }
        if (has_external) rules.push_back(jump(svl_chain));
      } else {
        Rule masq = jump(kMarkMasqChain);
        rules.push_back(comment(masq, "masquerade traffic for " + name + " external destinations"));
        rules.push_back(jump(svc_chain));
      }
      sink_.chain(TableId::kNat, ext_chain, rules);
    }
  }

  // 4. Entry points: the Service port's rules in the shared chains.
  void entry_points(const ServicePortInfo& svc, const std::string& internal_chain, const std::string& ext_chain,
                    const std::string& fw_chain, bool has_internal, bool has_external, bool has_endpoints) {
    const std::string name = svc.name.to_string();
    const Protocol p = svc.protocol;
    {
      Rule r = to_port(svc.cluster_ip, p);
      if (has_internal) {
        comment(r, name + " cluster IP");
        add_port_match(r, p, svc.port);
        r.target = JumpTarget{internal_chain};
        nat_services_.push_back(std::move(r));
      } else {
        comment(r, no_endpoint_comment(name, has_endpoints));
        add_port_match(r, p, svc.port);
        r.target = no_endpoint_target(has_endpoints);
        filter_services_.push_back(std::move(r));
      }
    }
    // External destinations: to KUBE-EXT- (or KUBE-FW-) when there is any endpoint; dropped or
    // rejected in filter when none serves external traffic. Both when only the short-circuit
    // for pods and the node applies.
    auto external_entry = [&](uint32_t ip, const char* what, const std::string& chain) {
      if (has_endpoints) {
        Rule r = to_port(ip, p);
        comment(r, name + " " + what);
        add_port_match(r, p, svc.port);
        r.target = JumpTarget{chain};
        nat_services_.push_back(std::move(r));
      }
      if (!has_external) {
        Rule r = to_port(ip, p);
        comment(r, no_endpoint_comment(name, has_endpoints));
        add_port_match(r, p, svc.port);
        r.target = no_endpoint_target(has_endpoints);
        filter_external_.push_back(std::move(r));
      }
    };
    for (uint32_t ip : svc.external_ips) external_entry(ip, "external IP", ext_chain);
    for (uint32_t ip : svc.load_balancer_ips) {
      external_entry(ip, "loadbalancer IP", fw_chain.empty() ? ext_chain : fw_chain);
      if (fw_chain.empty()) continue;
      Rule drop = to_port(ip, p);
      comment(drop, name + " traffic not accepted by " + fw_chain);
      add_port_match(drop, p, svc.port);
      drop.target = VerdictTarget{VerdictTarget::kDrop};
      filter_firewall_.push_back(std::move(drop));
    }
    if (svc.node_port) {
      if (has_endpoints) {
        Rule r = to_port(std::nullopt, p);
        comment(r, name);
        add_port_match(r, p, svc.node_port);
        r.target = JumpTarget{ext_chain};
        nat_nodeports_.push_back(std::move(r));
      }
      if (!has_external) {
        Rule r = to_port(std::nullopt, p);
        comment(r, no_endpoint_comment(name, has_endpoints));
        r.matches.push_back(AddrTypeMatch{false, true, false, false});
        add_port_match(r, p, svc.node_port);
        r.target = no_endpoint_target(has_endpoints);
        filter_external_.push_back(std::move(r));
      }
    }
  }

  // An endpoint's "ip:port" and KUBE-SEP- chain name: a sha256 each, and each endpoint is named
  // in its own chain and again in every policy chain that jumps to it.
  struct EndpointNames {
    const EndpointInfo* ep;
    std::string address;
    std::string chain;
  };
  void name_endpoints(const ServicePortInfo& svc, const std::vector<const EndpointInfo*>& eps) {
    endpoint_names_.clear();
    endpoint_names_.reserve(eps.size());
    for (const auto* ep : eps) {
      std::string address = ep->to_string();
      std::string chain = endpoint_chain(svc.name, svc.protocol, address);
      endpoint_names_.push_back({ep, std::move(address), std::move(chain)});
    }
    std::sort(endpoint_names_.begin(), endpoint_names_.end(),
              [](const EndpointNames& a, const EndpointNames& b) { return std::less<>{}(a.ep, b.ep); });
  }
  // `ep` must be one of those given to name_endpoints() for this Service.
  const EndpointNames& names_of(const EndpointInfo& ep) const {
    auto it = std::lower_bound(endpoint_names_.begin(), endpoint_names_.end(), &ep,
                               [](const EndpointNames& n, const EndpointInfo* p) { return std::less<>{}(n.ep, p); });
    assert(it != endpoint_names_.end() && it->ep == &ep);
    return *it;
  }

  // KUBE-SVC-/KUBE-SVL- body: affinity checks first, then the random spread.
  void endpoint_jumps(const ServicePortInfo& svc, const std::vector<const EndpointInfo*>& eps, std::vector<Rule>& rules) {
    const std::string name = svc.name.to_string();
    // Rules are large (moving them on each growth was a fifth of a full sync's compile time).
    rules.reserve(rules.size() + eps.size() * (svc.session_affinity_client_ip ? 2 : 1));
    if (svc.session_affinity_client_ip) {
      for (const auto* ep : eps) {
        const EndpointNames& names = names_of(*ep);
        const std::string& sep = names.chain;
        Rule r = jump(sep);
        if (!large_cluster_) comment(r, name + " -> " + names.address);
        r.matches.push_back(RecentMatch{sep, false, svc.affinity_timeout_seconds, true});
        rules.push_back(std::move(r));
      }
    }
    const size_t n = eps.size();
    for (size_t i = 0; i < n; ++i) {
      const EndpointNames& names = names_of(*eps[i]);
      Rule r = jump(names.chain);
      if (!large_cluster_) comment(r, name + " -> " + names.address);
      if (i < n - 1) r.matches.push_back(probability(n - i));
      rules.push_back(std::move(r));
    }
  }

  void endpoint_chain_rules(const ServicePortInfo& svc, const EndpointInfo& ep) {
    const std::string name = svc.name.to_string();
    const std::string& sep = names_of(ep).chain;
    Rule hairpin = jump(kMarkMasqChain);
    hairpin.src = Cidr{ep.ip, 32};
    if (!large_cluster_) comment(hairpin, name);
    Rule dnat;
    dnat.protocol = svc.protocol;
    if (!large_cluster_) comment(dnat, name);
    if (svc.session_affinity_client_ip) dnat.matches.push_back(RecentMatch{sep, true, 0, false});
    dnat.matches.push_back(PortMatch{svc.protocol, 0, 0});
    dnat.target = DnatTarget{ep.ip, ep.port};
    std::vector<Rule> rules;
    rules.reserve(2);
    rules.push_back(std::move(hairpin));
    rules.push_back(std::move(dnat));
    sink_.chain(TableId::kNat, sep, rules);
  }

  const ProxyState& state_;
  const CompilerConfig& config_;
  RulesetSink& sink_;
  const std::set<ServicePortName>* only_;
  const bool keep_shared_;
  const uint32_t mark_;
  const bool large_cluster_;
  bool keep_ = false;  // the current service's own chains are kept, not rebuilt
  std::vector<EndpointNames> endpoint_names_;  // of the Service being compiled, by pointer
  std::vector<Rule> nat_services_, nat_nodeports_, filter_services_, filter_external_, filter_firewall_;
};

class CollectingSink : public RulesetSink {
 public:
  explicit CollectingSink(Ruleset& out) : out_(out) {}
  void chain(TableId t, const std::string& name, const std::vector<Rule>& rules) override {
    out_.table(t).chains.push_back(iptables::Chain{name, rules});
  }
  void jump(TableId t, const std::string& builtin, const Rule& rule) override {
    out_.table(t).jumps.emplace_back(builtin, rule);
  }

 private:
  Ruleset& out_;
};

}  // namespace

void compile(const ProxyState& state, const CompilerConfig& config, RulesetSink& sink,
             const std::set<ServicePortName>* only, bool keep_shared) {
  Compiler(state, config, sink, only, keep_shared).run();
}

bool same_entry_points(const ServicePortInfo& svc_a, const std::vector<EndpointInfo>& eps_a,
                       const ServicePortInfo& svc_b, const std::vector<EndpointInfo>& eps_b) {
  if (!(svc_a == svc_b)) return false;
  // What service() derives from the endpoints for the entry points (has_endpoints,
  // has_internal, has_external).
  auto key = [](const ServicePortInfo& svc, const std::vector<EndpointInfo>& eps) {
    const Categorized cat = categorize(svc, eps);
    const bool any = std::any_of(eps.begin(), eps.end(), [](const EndpointInfo& e) {
      return e.ready || (e.serving && e.terminating);
    });
    const bool internal = !(svc.internal_policy_local ? cat.local : cat.cluster).empty();
    const bool external = !(svc.external_policy_local ? cat.local : cat.cluster).empty();
    return std::make_tuple(any, internal, external);
  };
  return key(svc_a, eps_a) == key(svc_b, eps_b);
}

bool is_large_cluster(const ProxyState& state, const CompilerConfig& config) {
  size_t total = 0;
  for (const auto& [name, eps] : state.endpoints) total += eps.size();
  return total > config.large_cluster_endpoints_threshold;
}

Ruleset compile_ruleset(const ProxyState& state, const CompilerConfig& config) {
  Ruleset out;
  CollectingSink sink(out);
  compile(state, config, sink);
  return out;
}

const iptables::Chain* Ruleset::find(TableId id, const std::string& chain) const {
  const Table& t = id == TableId::kNat ? nat : id == TableId::kFilter ? filter : mangle;
  for (const auto& c : t.chains) {
    if (c.name == chain) return &c;
  }
  return nullptr;
}

std::string format_table(const Ruleset::Table& table) {
  std::set<std::string> names;
  for (const auto& c : table.chains) names.insert(c.name);
  std::string out;
  for (const auto& n : names) out += ":" + n + " - [0:0]\n";
  for (const auto& [chain, rule] : table.jumps) out += iptables::format_rule(chain, rule) + "\n";
  for (const auto& c : table.chains) {
    for (const auto& r : c.rules) out += iptables::format_rule(c.name, r) + "\n";
  }
  return out;
}

}  // namespace nodeagent::network::proxy
