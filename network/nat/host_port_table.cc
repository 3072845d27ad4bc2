#include "network/nat/host_port_table.h"

#include <algorithm>
#include <sstream>

namespace nodeagent::network {

namespace {

std::optional<iptables::Protocol> protocol_of(const std::string& name) {
  if (name == "TCP") return iptables::Protocol::kTcp;
  if (name == "UDP") return iptables::Protocol::kUdp;
  if (name == "SCTP") return iptables::Protocol::kSctp;
  return std::nullopt;
}

std::string protocol_upper(iptables::Protocol p) {
  switch (p) {
    case iptables::Protocol::kTcp: return "TCP";
    case iptables::Protocol::kUdp: return "UDP";
    case iptables::Protocol::kSctp: return "SCTP";
    case iptables::Protocol::kAny: break;
  }
  return "";
}

// "" (every node address) overlaps everything; otherwise only the same address.
bool same_socket(const HostPortMapping& a, const HostPortMapping& b) {
  return a.host_port == b.host_port && a.protocol == b.protocol &&
         (a.host_ip.empty() || b.host_ip.empty() || a.host_ip == b.host_ip);
}

std::string describe(const HostPortMapping& m) {
  return "hostPort " + (m.host_ip.empty() ? "" : m.host_ip + ":") + std::to_string(m.host_port) + "/" + m.protocol;
}

Status check_mapping(const HostPortMapping& m) {
  if (m.host_port < 1 || m.host_port > 65535) return invalid("hostPort " + std::to_string(m.host_port) + ": must be 1-65535");
  if (m.container_port < 1 || m.container_port > 65535) {
    return invalid("containerPort " + std::to_string(m.container_port) + ": must be 1-65535");
  }
  if (!protocol_of(m.protocol)) return invalid("protocol \"" + m.protocol + "\": must be TCP, UDP or SCTP");
  if (!m.host_ip.empty() && !Ipv4::parse(m.host_ip).ok()) {
    return invalid("hostIP \"" + m.host_ip + "\": not a valid IPv4 address");
  }
  return ok_status();
}

// "pod=<ns>/<name> uid=<uid>": what the rules carry to be read back after a restart.
std::string comment_for(const HostPortEntry& e) { return "pod=" + e.pod_ref + " uid=" + e.pod_uid; }

iptables::Rule base_rule(const HostPortEntry& e) {
  iptables::Rule rule;
  const auto proto = *protocol_of(e.mapping.protocol);
  rule.protocol = proto;
  if (!e.mapping.host_ip.empty()) rule.dst = iptables::Cidr{Ipv4::parse(e.mapping.host_ip)->value, 32};
  rule.matches.push_back(iptables::CommentMatch{comment_for(e)});
  rule.matches.push_back(iptables::PortMatch{proto, static_cast<uint16_t>(e.mapping.host_port), 0});
  return rule;
}

}  // namespace

Status HostPortTable::set(const std::string& pod_uid, const std::string& pod_ref, Ipv4 pod_ip,
                          const std::vector<HostPortMapping>& mappings) {
  NA_RETURN_IF_ERROR(check(pod_uid, mappings));
  remove(pod_uid);
  for (const auto& m : mappings) entries_.push_back(HostPortEntry{pod_uid, pod_ref, pod_ip, m});
  return ok_status();
}

Status HostPortTable::check(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) const {
  for (size_t i = 0; i < mappings.size(); ++i) {
    NA_RETURN_IF_ERROR(check_mapping(mappings[i]));
    for (size_t j = 0; j < i; ++j) {
      if (same_socket(mappings[i], mappings[j])) {
        return Error{ErrorCode::kInvalid, describe(mappings[i]) + " is listed twice"};
      }
    }
    for (const auto& other : entries_) {
      if (other.pod_uid != pod_uid && same_socket(mappings[i], other.mapping)) {
        return Error{ErrorCode::kAlreadyExists, describe(mappings[i]) + " is already used by pod " + other.pod_ref};
      }
    }
  }
  return ok_status();
}

bool HostPortTable::remove(const std::string& pod_uid) {
  return std::erase_if(entries_, [&](const HostPortEntry& e) { return e.pod_uid == pod_uid; }) > 0;
}

bool HostPortTable::retain(const std::set<std::string>& live_pod_uids) {
  return std::erase_if(entries_, [&](const HostPortEntry& e) { return !live_pod_uids.contains(e.pod_uid); }) > 0;
}

std::vector<iptables::Rule> render_host_port_rules(const std::vector<HostPortEntry>& entries, const Ipv4Cidr& pod_cidr) {
  std::vector<iptables::Rule> rules;
  for (const auto& e : entries) {
    // Hairpin: a pod of this node reaching a hostPort; masquerade so the reply comes back via us.
    iptables::Rule mark = base_rule(e);
    mark.src = iptables::Cidr{pod_cidr.network().value, pod_cidr.prefix_len};
    mark.target = iptables::JumpTarget{kHostPortSetMarkChain};
    rules.push_back(std::move(mark));
    iptables::Rule dnat = base_rule(e);
    dnat.target = iptables::DnatTarget{e.pod_ip.value, static_cast<uint16_t>(e.mapping.container_port)};
    rules.push_back(std::move(dnat));
  }
  return rules;
}

std::optional<HostPortEntry> parse_host_port_rule(const iptables::Rule& rule) {
  const auto* dnat = std::get_if<iptables::DnatTarget>(&rule.target);
  if (!dnat) return std::nullopt;
  HostPortEntry entry;
  for (const auto& match : rule.matches) {
    if (const auto* c = std::get_if<iptables::CommentMatch>(&match)) {
      std::istringstream words(c->text);
      std::string word;
      while (words >> word) {
        if (word.rfind("pod=", 0) == 0) entry.pod_ref = word.substr(4);
        if (word.rfind("uid=", 0) == 0) entry.pod_uid = word.substr(4);
      }
    } else if (const auto* p = std::get_if<iptables::PortMatch>(&match)) {
      entry.mapping.host_port = p->dport;
    }
  }
  if (entry.pod_uid.empty() || entry.mapping.host_port == 0) return std::nullopt;
  entry.mapping.protocol = protocol_upper(rule.protocol);
  if (rule.dst.prefix == 32) entry.mapping.host_ip = iptables::format_ipv4(rule.dst.addr);
  entry.pod_ip = Ipv4{dnat->addr};
  entry.mapping.container_port = dnat->port;
  return entry;
}

std::vector<iptables::Rule> render_pod_masq_rules(const Ipv4Cidr& cluster_cidr) {
  iptables::Rule inside_cluster;
  inside_cluster.dst = iptables::Cidr{cluster_cidr.network().value, cluster_cidr.prefix_len};
  inside_cluster.target = iptables::VerdictTarget{iptables::VerdictTarget::kReturn};
  iptables::Rule multicast;
  multicast.dst = iptables::Cidr{0xe0000000u, 4};  // 224.0.0.0/4
  multicast.target = iptables::VerdictTarget{iptables::VerdictTarget::kReturn};
  iptables::Rule masquerade;
  masquerade.target = iptables::MasqueradeTarget{};
  return {inside_cluster, multicast, masquerade};
}

}  // namespace nodeagent::network
