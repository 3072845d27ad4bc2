#include "network/nat/iptables_pod_nat.h"

#include "util/log.h"
#include "network/netlink/netns.h"

namespace nodeagent::network {

namespace {

using iptables::Position;
using iptables::Rule;

Rule jump_if_local_destination(const std::string& chain) {
  Rule rule;
  rule.matches.push_back(iptables::AddrTypeMatch{false, true, false, false});
  rule.target = iptables::JumpTarget{chain};
  return rule;
}

Rule jump(const std::string& chain) {
  Rule rule;
  rule.target = iptables::JumpTarget{chain};
  return rule;
}

}  // namespace

Result<std::unique_ptr<IptablesPodNat>> IptablesPodNat::create(iptables::Iptables& ipt, std::string node_netns_path) {
  std::unique_ptr<IptablesPodNat> nat(new IptablesPodNat(ipt, std::move(node_netns_path)));
  NA_RETURN_IF_ERROR(run_in_netns(nat->node_netns_path_, [&]() -> Status {
    NA_ASSIGN_OR_RETURN(auto editor, ipt.open("nat"));
    if (!editor->has_chain(kHostPortDnatChain)) return ok_status();
    NA_ASSIGN_OR_RETURN(std::vector<Rule> rules, editor->rules(kHostPortDnatChain));
    for (const auto& rule : rules) {
      if (auto entry = parse_host_port_rule(rule)) nat->table_.restore(*entry);
    }
    return ok_status();
  }));
  return nat;
}

Status IptablesPodNat::ensure_masquerade(const Ipv4Cidr& pod_cidr, const Ipv4Cidr& cluster_cidr) {
  std::lock_guard lock(mu_);
  pod_cidr_ = pod_cidr;
  Status applied = run_in_netns(node_netns_path_, [&]() -> Status {
    NA_ASSIGN_OR_RETURN(auto nat, iptables_.open("nat"));
    Rule set_mark;
    set_mark.target = iptables::MarkTarget::or_mark(kHostPortMasqMark);
    NA_RETURN_IF_ERROR(nat->replace_chain(kHostPortSetMarkChain, {set_mark}));
    Rule masq_marked;
    masq_marked.matches.push_back(iptables::MarkMatch{kHostPortMasqMark, kHostPortMasqMark, false});
    masq_marked.target = iptables::MasqueradeTarget{};
    NA_RETURN_IF_ERROR(nat->replace_chain(kHostPortMasqChain, {masq_marked}));
    NA_RETURN_IF_ERROR(nat->replace_chain(kHostPortDnatChain, render_host_port_rules(table_.entries(), pod_cidr)));
    NA_RETURN_IF_ERROR(nat->replace_chain(kPodMasqChain, render_pod_masq_rules(cluster_cidr)));

    NA_RETURN_IF_ERROR(nat->ensure_rule("PREROUTING", jump_if_local_destination(kHostPortDnatChain), Position::kFirst));
    NA_RETURN_IF_ERROR(nat->ensure_rule("OUTPUT", jump_if_local_destination(kHostPortDnatChain), Position::kFirst));
    NA_RETURN_IF_ERROR(nat->ensure_rule("POSTROUTING", jump(kHostPortMasqChain), Position::kFirst));
    Rule pod_egress = jump(kPodMasqChain);
    pod_egress.src = iptables::Cidr{pod_cidr.network().value, pod_cidr.prefix_len};
    NA_RETURN_IF_ERROR(nat->ensure_rule("POSTROUTING", pod_egress, Position::kLast));
    return nat->commit();
  });
  if (!applied.ok()) return applied.error().wrap("iptables nat");
  return ok_status();
}

Status IptablesPodNat::apply_host_ports_locked(const HostPortTable& previous) {
  if (!pod_cidr_) {
    table_ = previous;
    return Error{ErrorCode::kFailedPrecondition, "iptables nat: hostPorts before the node network was set up"};
  }
  Status applied = run_in_netns(node_netns_path_, [&]() -> Status {
    NA_ASSIGN_OR_RETURN(auto nat, iptables_.open("nat"));
    NA_RETURN_IF_ERROR(nat->replace_chain(kHostPortDnatChain, render_host_port_rules(table_.entries(), *pod_cidr_)));
    return nat->commit();
  });
  if (!applied.ok()) {
    table_ = previous;  // the kernel kept the old rules; so do we
    return applied.error().wrap("iptables nat");
  }
  return ok_status();
}

Status IptablesPodNat::set_host_ports(const std::string& pod_uid, const std::string& pod_ref, Ipv4 pod_ip,
                                      const std::vector<HostPortMapping>& mappings) {
  std::lock_guard lock(mu_);
  const HostPortTable previous = table_;
  NA_RETURN_IF_ERROR(table_.set(pod_uid, pod_ref, pod_ip, mappings));
  if (table_.entries() == previous.entries()) return ok_status();  // a re-sync: nothing to write
  return apply_host_ports_locked(previous);
}

Status IptablesPodNat::check_host_ports(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) {
  std::lock_guard lock(mu_);
  return table_.check(pod_uid, mappings);
}

Status IptablesPodNat::remove_host_ports(const std::string& pod_uid) {
  std::lock_guard lock(mu_);
  const HostPortTable previous = table_;
  if (!table_.remove(pod_uid)) return ok_status();
  return apply_host_ports_locked(previous);
}

Status IptablesPodNat::retain_host_ports(const std::set<std::string>& live_pod_uids) {
  std::lock_guard lock(mu_);
  const HostPortTable previous = table_;
  if (!table_.retain(live_pod_uids)) return ok_status();
  return apply_host_ports_locked(previous);
}

}  // namespace nodeagent::network
