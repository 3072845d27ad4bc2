// iptables-save syntax for rule.h rules; the order of options follows iptables' own printer
// (addresses, interfaces, protocol, matches in order, target) so the output can be diffed with
// `iptables-legacy-save`.
#include "network/iptables/save_format.h"

#include <cstdio>
#include <cstring>

namespace nodeagent::network::iptables {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

std::string format_match(const Match& m) {
  return std::visit(
      Overloaded{
          [](const PortMatch& p) {
            std::string s = std::string(" -m ") + protocol_name(p.protocol);
            if (p.sport) s += " --sport " + std::to_string(p.sport);
            if (p.dport) s += " --dport " + std::to_string(p.dport);
            return s;
          },
          [](const CommentMatch& c) { return " -m comment --comment" + save_string(c.text); },
          [](const MarkMatch& mk) {
            std::string s = " -m mark";
            if (mk.invert) s += " !";
            s += " --mark " + hex(mk.mark);
            if (mk.mask != 0xffffffff) s += "/" + hex(mk.mask);
            return s;
          },
          [](const StatisticRandomMatch& st) {
            char buf[64];
            std::snprintf(buf, sizeof buf, " -m statistic --mode random --probability %.11f", st.probability());
            return std::string(buf);
          },
          [](const RecentMatch& r) {
            std::string s = " -m recent";
            s += r.set ? " --set" : " --rcheck";
            if (r.seconds) s += " --seconds " + std::to_string(r.seconds);
            if (r.reap) s += " --reap";
            s += " --name " + r.name + " --mask 255.255.255.255 --rsource";
            return s;
          },
          [](const ConntrackStateMatch& ct) {
            std::string states;
            auto add = [&](uint16_t bit, const char* name) {
              if (ct.states & bit) states += (states.empty() ? "" : ",") + std::string(name);
            };
            add(ConntrackStateMatch::kInvalid, "INVALID");
            add(ConntrackStateMatch::kNew, "NEW");
            add(ConntrackStateMatch::kRelated, "RELATED");
            add(ConntrackStateMatch::kEstablished, "ESTABLISHED");
            return " -m conntrack --ctstate " + states;
          },
          [](const AddrTypeMatch& a) {
            std::string s = " -m addrtype";
            if (a.src_local) s += std::string(a.invert_src ? " !" : "") + " --src-type LOCAL";
            if (a.dst_local) s += std::string(a.invert_dst ? " !" : "") + " --dst-type LOCAL";
            return s;
          },
      },
      m);
}

std::string format_target(const Target& t) {
  return std::visit(
      Overloaded{
          [](const JumpTarget& j) { return " -j " + j.chain; },
          [](const VerdictTarget& v) {
            switch (v.kind) {
              case VerdictTarget::kAccept: return std::string(" -j ACCEPT");
              case VerdictTarget::kDrop: return std::string(" -j DROP");
              case VerdictTarget::kReturn: break;
            }
            return std::string(" -j RETURN");
          },
          [](const DnatTarget& d) {
            std::string s = " -j DNAT --to-destination " + format_ipv4(d.addr);
            if (d.port) s += ":" + std::to_string(d.port);
            return s;
          },
          [](const MasqueradeTarget& m) { return std::string(" -j MASQUERADE") + (m.random_fully ? " --random-fully" : ""); },
          [](const RejectTarget&) { return std::string(" -j REJECT --reject-with icmp-port-unreachable"); },
          [](const MarkTarget& m) { return " -j MARK --set-xmark " + hex(m.value) + "/" + hex(m.mask); },
      },
      t);
}

}  // namespace

std::string save_string(const std::string& value) {
  static const char kNoQuote[] = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  size_t plain = std::strspn(value.c_str(), kNoQuote);
  if (plain > 0 && plain == value.size()) return " " + value;
  std::string s = " \"";
  for (char c : value) {
    if (c == '"' || c == '\\' || c == '\'') s += '\\';
    s += c;
  }
  return s + "\"";
}

std::string format_rule_spec(const Rule& rule) {
  std::string s;
  if (rule.src.prefix || rule.invert_src) s += std::string(rule.invert_src ? " !" : "") + " -s " + format_cidr(rule.src);
  if (rule.dst.prefix || rule.invert_dst) s += std::string(rule.invert_dst ? " !" : "") + " -d " + format_cidr(rule.dst);
  if (!rule.in_iface.empty()) s += " -i " + rule.in_iface;
  if (!rule.out_iface.empty()) s += " -o " + rule.out_iface;
  if (rule.protocol != Protocol::kAny) s += std::string(" -p ") + protocol_name(rule.protocol);
  for (const auto& m : rule.matches) s += format_match(m);
  s += format_target(rule.target);
  return s.empty() ? s : s.substr(1);
}

std::string format_rule(const std::string& chain, const Rule& rule) {
  return "-A " + chain + " " + format_rule_spec(rule);
}

}  // namespace nodeagent::network::iptables
