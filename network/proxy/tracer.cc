// Walks the kernel's rules for a packet to each of the Service's entry points. Rules whose
// outcome depends on the (unknown) source — masquerade for off-cluster sources, ETP Local's
// "pod/LOCAL traffic" shortcuts, affinity — are reported as conditional steps; the walk follows
// the unconditional path, spreading probability over `statistic` rules as the kernel does.
#include "network/proxy/tracer.h"

#include <cstdio>
#include <unordered_map>

#include "network/iptables/save_format.h"

namespace nodeagent::network::proxy {
namespace {

using iptables::Rule;

struct Packet {
  uint32_t dst = 0;
  Protocol protocol = Protocol::kTcp;
  uint16_t dport = 0;
  bool dst_local = false;
};

enum class Match { kNo, kYes, kConditional };

Match match(const Rule& r, const Packet& p, std::string& condition) {
  if (r.dst.prefix > 0) {
    const uint32_t mask = 0xffffffffu << (32 - r.dst.prefix);
    const bool in = ((p.dst ^ r.dst.addr) & mask) == 0;
    if (in == r.invert_dst) return Match::kNo;
  }
  if (r.protocol != Protocol::kAny && r.protocol != p.protocol) return Match::kNo;
  bool conditional = false;
  if (r.src.prefix > 0) {
    condition += std::string(r.invert_src ? "source not in " : "source in ") + iptables::format_cidr(r.src) + " ";
    conditional = true;
  }
  for (const auto& m : r.matches) {
    if (auto* port = std::get_if<iptables::PortMatch>(&m)) {
      if (port->dport && port->dport != p.dport) return Match::kNo;
    } else if (auto* at = std::get_if<iptables::AddrTypeMatch>(&m)) {
      if (at->dst_local && (p.dst_local == at->invert_dst)) return Match::kNo;
      if (at->src_local) {
        condition += at->invert_src ? "source not local " : "source is a local address ";
        conditional = true;
      }
    } else if (std::holds_alternative<iptables::MarkMatch>(m) || std::holds_alternative<iptables::ConntrackStateMatch>(m)) {
      Rule only;
      only.matches = {m};
      std::string spec = iptables::format_rule_spec(only);
      condition += "(" + spec.substr(0, spec.rfind(" -j ")) + ") ";
      conditional = true;
    }
  }
  return conditional ? Match::kConditional : Match::kYes;
}

class Walker {
 public:
  Walker(iptables::TableEditor& nat, iptables::TableEditor& filter) : nat_(nat), filter_(filter) {}

  Result<const std::vector<Rule>*> rules(iptables::TableEditor& t, const std::string& chain) {
    auto key = t.table_name() + "/" + chain;
    auto it = cache_.find(key);
    if (it != cache_.end()) return &it->second;
    NA_ASSIGN_OR_RETURN(auto rs, t.rules(chain));
    return &cache_.emplace(key, std::move(rs)).first->second;
  }

  // filter: a REJECT/DROP for this packet in one of kube-proxy's filter chains.
  Result<bool> filtered(const std::string& chain, const Packet& p, TracePath& path) {
    if (!filter_.has_chain(chain)) return false;
    NA_ASSIGN_OR_RETURN(auto* rs, rules(filter_, chain));
    for (size_t i = 0; i < rs->size(); ++i) {
      std::string cond;
      const Rule& r = (*rs)[i];
      if (match(r, p, cond) != Match::kYes) continue;
      const bool reject = std::holds_alternative<iptables::RejectTarget>(r.target);
      const auto* v = std::get_if<iptables::VerdictTarget>(&r.target);
      if (reject || (v && v->kind == iptables::VerdictTarget::kDrop)) {
        path.verdict = std::string(reject ? "REJECT" : "DROP") + " (filter " + chain + " rule " + std::to_string(i + 1) + ": " +
                       iptables::format_rule_spec(r) + ")";
        return true;
      }
    }
    return false;
  }

  // Follows nat rules from `chain` with probability `weight` of arriving there.
  Status walk(const std::string& chain, const Packet& p, TracePath& path, double weight, int depth = 0) {
    if (depth > 8) {
      path.steps.push_back("(stopping: chain nesting deeper than 8)");
      return ok_status();
    }
    if (!nat_.has_chain(chain)) {
      path.steps.push_back("nat chain " + chain + " does not exist");
      return ok_status();
    }
    NA_ASSIGN_OR_RETURN(auto* rs, rules(nat_, chain));
    double remaining = weight;
    for (size_t i = 0; i < rs->size() && remaining > 0; ++i) {
      const Rule& r = (*rs)[i];
      std::string cond;
      Match m = match(r, p, cond);
      if (m == Match::kNo) continue;
      while (!cond.empty() && cond.back() == ' ') cond.pop_back();
      const std::string where = "nat " + chain + " rule " + std::to_string(i + 1);
      const auto* jump = std::get_if<iptables::JumpTarget>(&r.target);
      if (!jump) {
        if (const auto* d = std::get_if<iptables::DnatTarget>(&r.target)) {
          path.steps.push_back(where + ": DNAT to " + iptables::format_ipv4(d->addr) + ":" + std::to_string(d->port));
          return ok_status();
        }
        continue;
      }
      const std::string& to = jump->chain;
      bool affinity = false;
      const iptables::StatisticRandomMatch* stat = nullptr;
      for (const auto& mm : r.matches) {
        if (auto* rc = std::get_if<iptables::RecentMatch>(&mm); rc && !rc->set) affinity = true;
        if (auto* st = std::get_if<iptables::StatisticRandomMatch>(&mm)) stat = st;
      }
      if (to == "KUBE-MARK-MASQ") {
        path.steps.push_back(where + ": masquerade" + (cond.empty() ? "" : " if " + cond));
        continue;
      }
      if (to.rfind("KUBE-SEP-", 0) == 0) {
        TraceEndpoint ep;
        ep.chain = to;
        ep.affinity = affinity;
        NA_ASSIGN_OR_RETURN(ep.destination, dnat_of(to));
        if (affinity) {
          path.endpoints.push_back(ep);  // returning clients; no probability of its own
          continue;
        }
        const double pr = stat ? stat->probability() : 1.0;
        ep.probability = remaining * pr;
        remaining -= ep.probability;
        path.endpoints.push_back(ep);
        continue;
      }
      if (m == Match::kConditional) {
        path.steps.push_back(where + ": if " + cond + " -> " + to);
        // A KUBE-FW- chain sends every allowed source the same way: follow the first; the
        // others are dropped in filter (see trace_service).
        if (chain.rfind("KUBE-FW-", 0) == 0) return walk(to, p, path, remaining, depth + 1);
        continue;
      }
      path.steps.push_back(where + " -> " + to);
      NA_RETURN_IF_ERROR(walk(to, p, path, remaining, depth + 1));
      return ok_status();
    }
    return ok_status();
  }

 private:
  Result<std::string> dnat_of(const std::string& sep) {
    if (!nat_.has_chain(sep)) return std::string("(chain missing)");
    NA_ASSIGN_OR_RETURN(auto* rs, rules(nat_, sep));
    for (const auto& r : *rs) {
      if (const auto* d = std::get_if<iptables::DnatTarget>(&r.target))
        return iptables::format_ipv4(d->addr) + ":" + std::to_string(d->port);
    }
    return std::string("(no DNAT rule)");
  }

  iptables::TableEditor& nat_;
  iptables::TableEditor& filter_;
  std::unordered_map<std::string, std::vector<Rule>> cache_;
};

void finish(TracePath& path) {
  if (!path.verdict.empty()) return;
  size_t spread = 0;
  for (const auto& e : path.endpoints) spread += e.affinity ? 0 : 1;
  path.verdict = spread ? "DNAT to one of " + std::to_string(spread) + " endpoint(s)"
                     : "no nat rule sends it anywhere (packet continues un-NATed)";
}

}  // namespace

Result<std::vector<TraceResult>> trace_service(iptables::Iptables& ipt, const std::map<ObjectName, ServiceInfo>& services,
                                               const std::string& target) {
  std::string name = target, port;
  if (auto colon = target.find(':'); colon != std::string::npos) {
    name = target.substr(0, colon);
    port = target.substr(colon + 1);
  }
  ObjectName key{"default", name};
  if (auto slash = name.find('/'); slash != std::string::npos) key = ObjectName{name.substr(0, slash), name.substr(slash + 1)};
  auto it = services.find(key);
  if (it == services.end()) return not_found("service " + key.to_string() + " not found");

  NA_ASSIGN_OR_RETURN(auto nat, ipt.open("nat"));
  NA_ASSIGN_OR_RETURN(auto filter, ipt.open("filter"));
  Walker walker(*nat, *filter);
  std::vector<TraceResult> out;
  for (const auto& sp : it->second.ports) {
    if (!port.empty() && port != sp.name.port && port != std::to_string(sp.port)) continue;
    TraceResult result;
    result.service = sp.name.to_string();
    const char* proto = iptables::protocol_name(sp.protocol);
    auto trace_ip = [&](uint32_t ip, const std::string& what, const char* filter_chain) -> Status {
      TracePath path;
      path.entry = what + " " + iptables::format_ipv4(ip) + ":" + std::to_string(sp.port) + "/" + proto;
      Packet p{ip, sp.protocol, sp.port, false};
      NA_ASSIGN_OR_RETURN(bool blocked, walker.filtered(filter_chain, p, path));
      if (!blocked) {
        path.steps.push_back("nat PREROUTING/OUTPUT -> KUBE-SERVICES");
        NA_RETURN_IF_ERROR(walker.walk("KUBE-SERVICES", p, path, 1.0));
        // loadBalancerSourceRanges: what KUBE-FW- did not let through is not DNATed.
        TracePath others;
        NA_ASSIGN_OR_RETURN(bool firewalled, walker.filtered("KUBE-PROXY-FIREWALL", p, others));
        if (firewalled) path.steps.push_back("sources not allowed by loadBalancerSourceRanges: " + others.verdict);
      }
      finish(path);
      result.paths.push_back(std::move(path));
      return ok_status();
    };
    NA_RETURN_IF_ERROR(trace_ip(sp.cluster_ip, "cluster IP", "KUBE-SERVICES"));
    for (uint32_t ip : sp.external_ips) NA_RETURN_IF_ERROR(trace_ip(ip, "external IP", "KUBE-EXTERNAL-SERVICES"));
    for (uint32_t ip : sp.load_balancer_ips) NA_RETURN_IF_ERROR(trace_ip(ip, "load balancer IP", "KUBE-EXTERNAL-SERVICES"));
    if (sp.node_port) {
      TracePath path;
      path.entry = "node port " + std::to_string(sp.node_port) + "/" + proto + " on a local address";
      Packet p{0, sp.protocol, sp.node_port, true};
      NA_ASSIGN_OR_RETURN(bool blocked, walker.filtered("KUBE-EXTERNAL-SERVICES", p, path));
      if (!blocked) {
        path.steps.push_back("nat PREROUTING/OUTPUT -> KUBE-SERVICES");
        NA_RETURN_IF_ERROR(walker.walk("KUBE-SERVICES", p, path, 1.0));
      }
      finish(path);
      result.paths.push_back(std::move(path));
    }
    out.push_back(std::move(result));
  }
  if (out.empty()) return not_found("service " + key.to_string() + " has no port \"" + port + "\"");
  return out;
}

std::string format_trace(const std::vector<TraceResult>& results) {
  std::string out;
  for (const auto& r : results) {
    out += "Service " + r.service + "\n";
    for (const auto& p : r.paths) {
      out += "  " + p.entry + "\n";
      for (const auto& s : p.steps) out += "    " + s + "\n";
      for (const auto& e : p.endpoints) {
        char pct[32];
        std::snprintf(pct, sizeof pct, "%6.2f%%", e.probability * 100);
        out += "    " + std::string(e.affinity ? "affinity" : pct) + "  " + e.chain + " -> " + e.destination + "\n";
      }
      out += "    => " + p.verdict + "\n";
    }
  }
  return out;
}

}  // namespace nodeagent::network::proxy
