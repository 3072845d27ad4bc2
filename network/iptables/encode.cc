// Rule <-> ipt_entry. Each extension's payload is the kernel struct of the revision iptables
// 1.8.9 itself uses (tcp/udp/sctp 0, comment 0, mark 1, statistic 0, recent 1, conntrack 3,
// addrtype 1; DNAT 2, MASQUERADE 0, REJECT 0, MARK 2), so iptables-legacy-save prints the
// rules without "[unsupported revision]".
#include "network/iptables/encode.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_MARK.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_recent.h>
// xt_sctp.h uses C's _Bool in inline helpers we do not call.
#define _Bool bool
#include <linux/netfilter/xt_sctp.h>
#undef _Bool
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>

#include <cstring>


namespace nodeagent::network::iptables {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

uint32_t prefix_mask(int prefix) { return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix); }

int mask_prefix(uint32_t mask) {
  int n = 0;
  while (n < 32 && (mask & (0x80000000u >> n))) ++n;
  return n;
}

// Appends an xt_entry_match/xt_entry_target header + payload, padded to XT_ALIGN.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  template <class Payload>
  size_t add(const char* name, uint8_t revision, const Payload& payload) {
    static_assert(sizeof(xt_entry_match) == sizeof(xt_entry_target));
    const size_t size = XT_ALIGN(sizeof(xt_entry_match) + sizeof(Payload));
    const size_t at = out_.size();
    out_.resize(at + size, 0);
    auto* hdr = reinterpret_cast<xt_entry_match*>(out_.data() + at);
    hdr->u.user.match_size = static_cast<uint16_t>(size);
    std::strncpy(hdr->u.user.name, name, sizeof hdr->u.user.name - 1);
    hdr->u.user.revision = revision;
    std::memcpy(out_.data() + at + sizeof(xt_entry_match), &payload, sizeof(Payload));
    return at;
  }

 private:
  std::vector<uint8_t>& out_;
};

void add_match(Writer& w, const Match& m) {
  std::visit(Overloaded{
                 [&](const PortMatch& p) {
                   if (p.protocol == Protocol::kSctp) {
                     xt_sctp_info info{};
                     info.spts[1] = info.dpts[1] = 0xffff;
                     if (p.sport) info.spts[0] = info.spts[1] = p.sport, info.flags |= XT_SCTP_SRC_PORTS;
                     if (p.dport) info.dpts[0] = info.dpts[1] = p.dport, info.flags |= XT_SCTP_DEST_PORTS;
                     w.add("sctp", 0, info);
                   } else if (p.protocol == Protocol::kUdp) {
                     xt_udp info{};
                     info.spts[1] = info.dpts[1] = 0xffff;
                     if (p.sport) info.spts[0] = info.spts[1] = p.sport;
                     if (p.dport) info.dpts[0] = info.dpts[1] = p.dport;
                     w.add("udp", 0, info);
                   } else {
                     xt_tcp info{};
                     info.spts[1] = info.dpts[1] = 0xffff;
                     if (p.sport) info.spts[0] = info.spts[1] = p.sport;
                     if (p.dport) info.dpts[0] = info.dpts[1] = p.dport;
                     w.add("tcp", 0, info);
                   }
                 },
                 [&](const CommentMatch& c) {
                   xt_comment_info info{};
                   std::strncpy(info.comment, c.text.c_str(), XT_MAX_COMMENT_LEN - 1);
                   w.add("comment", 0, info);
                 },
                 [&](const MarkMatch& mk) {
                   xt_mark_mtinfo1 info{};
                   info.mark = mk.mark;
                   info.mask = mk.mask;
                   info.invert = mk.invert;
                   w.add("mark", 1, info);
                 },
                 [&](const StatisticRandomMatch& st) {
                   xt_statistic_info info{};
                   info.mode = XT_STATISTIC_MODE_RANDOM;
                   info.u.random.probability = st.threshold;
                   w.add("statistic", 0, info);
                 },
                 [&](const RecentMatch& r) {
                   xt_recent_mtinfo_v1 info{};
                   info.seconds = r.seconds;
                   info.check_set = r.set ? XT_RECENT_SET : XT_RECENT_CHECK;
                   if (r.reap) info.check_set |= XT_RECENT_REAP;
                   std::strncpy(info.name, r.name.c_str(), XT_RECENT_NAME_LEN - 1);
                   info.side = XT_RECENT_SOURCE;
                   info.mask.ip = 0xffffffff;
                   w.add("recent", 1, info);
                 },
                 [&](const ConntrackStateMatch& ct) {
                   xt_conntrack_mtinfo3 info{};
                   info.match_flags = XT_CONNTRACK_STATE;
                   info.state_mask = ct.states;
                   w.add("conntrack", 3, info);
                 },
                 [&](const AddrTypeMatch& a) {
                   xt_addrtype_info_v1 info{};
                   if (a.src_local) info.source = XT_ADDRTYPE_LOCAL;
                   if (a.dst_local) info.dest = XT_ADDRTYPE_LOCAL;
                   if (a.invert_src) info.flags |= XT_ADDRTYPE_INVERT_SOURCE;
                   if (a.invert_dst) info.flags |= XT_ADDRTYPE_INVERT_DEST;
                   w.add("addrtype", 1, info);
                 },
             },
             m);
}

// Returns the offset of the standard verdict inside `out` (0 when not a standard target).
size_t add_target(Writer& w, const Target& t, JumpEncoding enc, std::string& jump_chain) {
  size_t verdict_at = 0;
  auto standard = [&](const std::string& by_name, int verdict) {
    int v = verdict;
    size_t at = w.add(enc == JumpEncoding::kByName ? by_name.c_str() : XT_STANDARD_TARGET, 0, v);
    verdict_at = at + sizeof(xt_entry_target);
  };
  std::visit(Overloaded{
                 [&](const JumpTarget& j) {
                   standard(j.chain, 0);
                   jump_chain = j.chain;
                 },
                 [&](const VerdictTarget& v) {
                   switch (v.kind) {
                     case VerdictTarget::kAccept: standard("ACCEPT", -NF_ACCEPT - 1); break;
                     case VerdictTarget::kDrop: standard("DROP", -NF_DROP - 1); break;
                     case VerdictTarget::kReturn: standard("RETURN", XT_RETURN); break;
                   }
                 },
                 [&](const DnatTarget& d) {
                   nf_nat_range2 r{};
                   r.flags = NF_NAT_RANGE_MAP_IPS;
                   r.min_addr.ip = r.max_addr.ip = htonl(d.addr);
                   if (d.port) {
                     r.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
                     r.min_proto.all = r.max_proto.all = htons(d.port);
                   }
                   w.add("DNAT", 2, r);
                 },
                 [&](const MasqueradeTarget& m) {
                   nf_nat_ipv4_multi_range_compat r{};
                   r.rangesize = 1;
                   if (m.random_fully) r.range[0].flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
                   w.add("MASQUERADE", 0, r);
                 },
                 [&](const RejectTarget&) {
                   ipt_reject_info r{};
                   r.with = IPT_ICMP_PORT_UNREACHABLE;
                   w.add("REJECT", 0, r);
                 },
                 [&](const MarkTarget& m) {
                   xt_mark_tginfo2 r{};
                   r.mark = m.value;
                   r.mask = m.mask;
                   w.add("MARK", 2, r);
                 },
             },
             t);
  return verdict_at;
}

template <class T>
const T& payload(const xt_entry_match* m) {
  return *reinterpret_cast<const T*>(m->data);
}

}  // namespace

EncodedRule encode_rule(const Rule& rule, JumpEncoding encoding) {
  EncodedRule enc;
  encode_rule_into(rule, encoding, enc);
  return enc;
}

void encode_rule_into(const Rule& rule, JumpEncoding encoding, EncodedRule& enc) {
  enc.jump_chain.clear();
  enc.verdict_offset = 0;
  auto& out = enc.bytes;
  out.clear();
  out.resize(sizeof(ipt_entry), 0);
  {
    auto* e = reinterpret_cast<ipt_entry*>(out.data());
    e->ip.src.s_addr = htonl(rule.src.addr);
    e->ip.smsk.s_addr = htonl(prefix_mask(rule.src.prefix));
    e->ip.dst.s_addr = htonl(rule.dst.addr);
    e->ip.dmsk.s_addr = htonl(prefix_mask(rule.dst.prefix));
    if (rule.invert_src) e->ip.invflags |= IPT_INV_SRCIP;
    if (rule.invert_dst) e->ip.invflags |= IPT_INV_DSTIP;
    auto iface = [](const std::string& name, char* dst, unsigned char* mask) {
      if (name.empty()) return;
      std::strncpy(dst, name.c_str(), IFNAMSIZ - 1);
      // "eth+" is a prefix match (mask covers the prefix); otherwise the name plus its NUL.
      bool wildcard = name.back() == '+';
      size_t n = wildcard ? name.size() - 1 : name.size() + 1;
      if (wildcard) dst[name.size() - 1] = '\0';
      std::memset(mask, 0xff, std::min<size_t>(n, IFNAMSIZ));
    };
    iface(rule.in_iface, e->ip.iniface, e->ip.iniface_mask);
    iface(rule.out_iface, e->ip.outiface, e->ip.outiface_mask);
    e->ip.proto = static_cast<uint16_t>(rule.protocol);
  }
  Writer w(out);
  for (const auto& m : rule.matches) add_match(w, m);
  const size_t target_offset = out.size();
  enc.verdict_offset = add_target(w, rule.target, encoding, enc.jump_chain);
  auto* e = reinterpret_cast<ipt_entry*>(out.data());
  e->target_offset = static_cast<uint16_t>(target_offset);
  e->next_offset = static_cast<uint16_t>(out.size());
}

Result<Rule> decode_rule(const ipt_entry* e, const std::string& target_name) {
  Rule rule;
  rule.src = Cidr{ntohl(e->ip.src.s_addr), mask_prefix(ntohl(e->ip.smsk.s_addr))};
  rule.dst = Cidr{ntohl(e->ip.dst.s_addr), mask_prefix(ntohl(e->ip.dmsk.s_addr))};
  rule.invert_src = e->ip.invflags & IPT_INV_SRCIP;
  rule.invert_dst = e->ip.invflags & IPT_INV_DSTIP;
  rule.in_iface = std::string(e->ip.iniface, strnlen(e->ip.iniface, IFNAMSIZ));
  rule.out_iface = std::string(e->ip.outiface, strnlen(e->ip.outiface, IFNAMSIZ));
  rule.protocol = static_cast<Protocol>(e->ip.proto);

  const auto* base = reinterpret_cast<const uint8_t*>(e);
  for (size_t off = sizeof(ipt_entry); off < e->target_offset;) {
    const auto* m = reinterpret_cast<const xt_entry_match*>(base + off);
    const std::string name = m->u.user.name;
    if (m->u.match_size == 0) return internal("malformed entry: zero-sized match");
    if (name == "tcp" || name == "udp") {
      const auto& t = payload<xt_tcp>(m);  // xt_udp shares the leading port fields
      PortMatch p{name == "tcp" ? Protocol::kTcp : Protocol::kUdp, 0, 0};
      if (t.dpts[0] == t.dpts[1]) p.dport = t.dpts[0];
      if (t.spts[0] == t.spts[1]) p.sport = t.spts[0];
      rule.matches.push_back(p);
    } else if (name == "sctp") {
      const auto& s = payload<xt_sctp_info>(m);
      PortMatch p{Protocol::kSctp, 0, 0};
      if (s.flags & XT_SCTP_DEST_PORTS) p.dport = s.dpts[0];
      if (s.flags & XT_SCTP_SRC_PORTS) p.sport = s.spts[0];
      rule.matches.push_back(p);
    } else if (name == "comment") {
      const auto& c = payload<xt_comment_info>(m);
      rule.matches.push_back(CommentMatch{std::string(c.comment, strnlen(c.comment, XT_MAX_COMMENT_LEN))});
    } else if (name == "mark") {
      const auto& mk = payload<xt_mark_mtinfo1>(m);
      rule.matches.push_back(MarkMatch{mk.mark, mk.mask, mk.invert != 0});
    } else if (name == "statistic") {
      rule.matches.push_back(StatisticRandomMatch{payload<xt_statistic_info>(m).u.random.probability});
    } else if (name == "recent") {
      const auto& r = payload<xt_recent_mtinfo_v1>(m);
      rule.matches.push_back(RecentMatch{std::string(r.name, strnlen(r.name, XT_RECENT_NAME_LEN)),
                                         (r.check_set & XT_RECENT_SET) != 0, r.seconds,
                                         (r.check_set & XT_RECENT_REAP) != 0});
    } else if (name == "conntrack") {
      rule.matches.push_back(ConntrackStateMatch{payload<xt_conntrack_mtinfo3>(m).state_mask});
    } else if (name == "addrtype") {
      const auto& a = payload<xt_addrtype_info_v1>(m);
      rule.matches.push_back(AddrTypeMatch{a.source == XT_ADDRTYPE_LOCAL, a.dest == XT_ADDRTYPE_LOCAL,
                                           (a.flags & XT_ADDRTYPE_INVERT_SOURCE) != 0,
                                           (a.flags & XT_ADDRTYPE_INVERT_DEST) != 0});
    } else {
      return invalid("unsupported match \"" + name + "\"");
    }
    off += m->u.match_size;
  }

  const auto* t = reinterpret_cast<const xt_entry_target*>(base + e->target_offset);
  if (target_name == "ACCEPT") {
    rule.target = VerdictTarget{VerdictTarget::kAccept};
  } else if (target_name == "DROP") {
    rule.target = VerdictTarget{VerdictTarget::kDrop};
  } else if (target_name == "RETURN") {
    rule.target = VerdictTarget{VerdictTarget::kReturn};
  } else if (target_name == "DNAT") {
    const auto& r = *reinterpret_cast<const nf_nat_range2*>(t->data);
    uint16_t port = (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED) ? ntohs(r.min_proto.all) : 0;
    rule.target = DnatTarget{ntohl(r.min_addr.ip), port};
  } else if (target_name == "MASQUERADE") {
    const auto& r = *reinterpret_cast<const nf_nat_ipv4_multi_range_compat*>(t->data);
    rule.target = MasqueradeTarget{(r.range[0].flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) != 0};
  } else if (target_name == "REJECT") {
    rule.target = RejectTarget{};
  } else if (target_name == "MARK") {
    const auto& r = *reinterpret_cast<const xt_mark_tginfo2*>(t->data);
    rule.target = MarkTarget{r.mark, r.mask};
  } else if (!target_name.empty() && std::strcmp(t->u.user.name, XT_STANDARD_TARGET) == 0) {
    rule.target = JumpTarget{target_name};
  } else {
    return invalid("unsupported target \"" + target_name + "\"");
  }
  return rule;
}

}  // namespace nodeagent::network::iptables
