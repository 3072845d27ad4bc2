// Address parsing/formatting and small helpers for rule.h.
#include "network/iptables/rule.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "util/ipv4.h"

namespace nodeagent::network::iptables {

// Parsing is util/ipv4.h's (the one IPv4/CIDR parser); these keep rule.h's optional API.
std::optional<uint32_t> parse_ipv4(const std::string& text) {
  auto ip = Ipv4::parse(text);
  if (!ip.ok()) return std::nullopt;
  return ip->value;
}

// Dotted quad, as inet_ntop writes it, without its sprintf (a full sync formats every endpoint
// address several times, for chain names and comments).
std::string format_ipv4(uint32_t addr) {
  char buf[INET_ADDRSTRLEN];
  char* p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const unsigned octet = (addr >> shift) & 0xff;
    if (octet >= 100) *p++ = static_cast<char>('0' + octet / 100);
    if (octet >= 10) *p++ = static_cast<char>('0' + octet / 10 % 10);
    *p++ = static_cast<char>('0' + octet % 10);
    if (shift) *p++ = '.';
  }
  return std::string(buf, p);
}

std::optional<Cidr> parse_cidr(const std::string& text) {
  // A bare address is a /32; host bits are cleared rather than refused (a match, not a pod CIDR).
  if (text.find('/') == std::string::npos) {
    auto ip = parse_ipv4(text);
    if (!ip) return std::nullopt;
    return Cidr{*ip, 32};
  }
  auto cidr = Ipv4Cidr::parse_interface(text);
  if (!cidr.ok()) return std::nullopt;
  return Cidr{cidr->network().value, cidr->prefix_len};
}

std::string format_cidr(const Cidr& cidr) { return format_ipv4(cidr.addr) + "/" + std::to_string(cidr.prefix); }

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::kTcp: return "tcp";
    case Protocol::kUdp: return "udp";
    case Protocol::kSctp: return "sctp";
    case Protocol::kAny: break;
  }
  return "all";
}

StatisticRandomMatch StatisticRandomMatch::from_probability(double p) {
  // Same rounding as libxt_statistic: the kernel compares a 31-bit random number with this.
  return StatisticRandomMatch{static_cast<uint32_t>(std::lround(0x80000000 * p))};
}

double StatisticRandomMatch::probability() const { return static_cast<double>(threshold) / 0x80000000; }

namespace {

// Mixes a word at a time (a byte-at-a-time FNV loop was most of the applier's hashing cost
// at 350k rules): xor in, multiply by an odd constant, fold the high bits back down.
struct Hasher {
  uint64_t h;
  void num(uint64_t v) {
    h = (h ^ v) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (; n >= 8; b += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, b, 8);
      num(w);
    }
    if (n == 0) return;
    uint64_t tail = 0;
    std::memcpy(&tail, b, n);
    num(tail);
  }
  void str(const std::string& s) {
    bytes(s.data(), s.size());
    num(s.size());
  }
};

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

uint64_t rule_hash(const Rule& r, uint64_t seed) {
  Hasher h{seed};
  h.num(r.src.addr), h.num(r.src.prefix), h.num(r.invert_src);
  h.num(r.dst.addr), h.num(r.dst.prefix), h.num(r.invert_dst);
  h.num(static_cast<uint64_t>(r.protocol));
  h.str(r.in_iface), h.str(r.out_iface);
  for (const auto& m : r.matches) {
    h.num(m.index());
    std::visit(Overloaded{
                   [&](const PortMatch& p) { h.num(static_cast<uint64_t>(p.protocol)), h.num(p.dport), h.num(p.sport); },
                   [&](const CommentMatch& c) { h.str(c.text); },
                   [&](const MarkMatch& mk) { h.num(mk.mark), h.num(mk.mask), h.num(mk.invert); },
                   [&](const StatisticRandomMatch& st) { h.num(st.threshold); },
                   [&](const RecentMatch& rc) { h.str(rc.name), h.num(rc.set), h.num(rc.seconds), h.num(rc.reap); },
                   [&](const ConntrackStateMatch& ct) { h.num(ct.states); },
                   [&](const AddrTypeMatch& a) { h.num(a.src_local), h.num(a.dst_local), h.num(a.invert_src), h.num(a.invert_dst); },
               },
               m);
  }
  h.num(1000 + r.target.index());
  std::visit(Overloaded{
                 [&](const JumpTarget& j) { h.str(j.chain); },
                 [&](const VerdictTarget& v) { h.num(v.kind); },
                 [&](const DnatTarget& d) { h.num(d.addr), h.num(d.port); },
                 [&](const MasqueradeTarget& m) { h.num(m.random_fully); },
                 [&](const RejectTarget&) {},
                 [&](const MarkTarget& m) { h.num(m.value), h.num(m.mask); },
             },
             r.target);
  return h.h;
}

}  // namespace nodeagent::network::iptables
