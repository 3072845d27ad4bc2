// An iptables rule as data: the IPv4 header matches, the extension matches and the target that
// the agent uses (kube-proxy's vocabulary plus what hostPort DNAT/masquerade need). Rules are
// compared, printed in iptables-save syntax (save_format.h) and encoded into the kernel's
// ipt_entry layout (encode.h); nothing here touches the system.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nodeagent::network::iptables {

// IPv4 address in host byte order plus prefix length; prefix 0 means "any".
struct Cidr {
  uint32_t addr = 0;
  int prefix = 0;
  bool operator==(const Cidr&) const = default;
};

// Parses "10.0.0.1" or "10.244.0.0/16"; std::nullopt when malformed.
std::optional<Cidr> parse_cidr(const std::string& text);
std::optional<uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(uint32_t addr);
std::string format_cidr(const Cidr& cidr);

enum class Protocol : uint8_t { kAny = 0, kTcp = 6, kUdp = 17, kSctp = 132 };
const char* protocol_name(Protocol p);  // "tcp", "udp", "sctp", "all"

// -m tcp/udp/sctp --dport/--sport (single ports; 0 = unset).
struct PortMatch {
  Protocol protocol = Protocol::kTcp;
  uint16_t dport = 0;
  uint16_t sport = 0;
  bool operator==(const PortMatch&) const = default;
};
// -m comment --comment
struct CommentMatch {
  std::string text;
  bool operator==(const CommentMatch&) const = default;
};
// -m mark [!] --mark value/mask
struct MarkMatch {
  uint32_t mark = 0;
  uint32_t mask = 0xffffffff;
  bool invert = false;
  bool operator==(const MarkMatch&) const = default;
};
// -m statistic --mode random --probability p (stored as the kernel's 31-bit threshold).
struct StatisticRandomMatch {
  uint32_t threshold = 0;  // lround(probability * 2^31)
  static StatisticRandomMatch from_probability(double p);
  double probability() const;
  bool operator==(const StatisticRandomMatch&) const = default;
};
// -m recent --name N --mask 255.255.255.255 --rsource (--set | --rcheck --seconds S --reap)
struct RecentMatch {
  std::string name;
  bool set = false;        // --set; otherwise --rcheck
  uint32_t seconds = 0;    // with --rcheck
  bool reap = false;
  bool operator==(const RecentMatch&) const = default;
};
// -m conntrack --ctstate; bits are the kernel's XT_CONNTRACK_STATE_BIT values.
struct ConntrackStateMatch {
  static constexpr uint16_t kInvalid = 1 << 0, kEstablished = 1 << 1, kRelated = 1 << 2, kNew = 1 << 3;
  uint16_t states = 0;
  bool operator==(const ConntrackStateMatch&) const = default;
};
// -m addrtype --src-type/--dst-type LOCAL (the only type we need); invert per side.
struct AddrTypeMatch {
  bool src_local = false;
  bool dst_local = false;
  bool invert_src = false;
  bool invert_dst = false;
  bool operator==(const AddrTypeMatch&) const = default;
};

using Match = std::variant<PortMatch, CommentMatch, MarkMatch, StatisticRandomMatch, RecentMatch,
                           ConntrackStateMatch, AddrTypeMatch>;

// -j CHAIN (a user-defined chain)
struct JumpTarget {
  std::string chain;
  bool operator==(const JumpTarget&) const = default;
};
// -j ACCEPT / DROP / RETURN
struct VerdictTarget {
  enum Kind { kAccept, kDrop, kReturn } kind = kAccept;
  bool operator==(const VerdictTarget&) const = default;
};
// -j DNAT --to-destination ip[:port] (target revision 2, nf_nat_range2)
struct DnatTarget {
  uint32_t addr = 0;
  uint16_t port = 0;  // 0 = keep the port
  bool operator==(const DnatTarget&) const = default;
};
// -j MASQUERADE [--random-fully]
struct MasqueradeTarget {
  bool random_fully = false;
  bool operator==(const MasqueradeTarget&) const = default;
};
// -j REJECT --reject-with icmp-port-unreachable
struct RejectTarget {
  bool operator==(const RejectTarget&) const = default;
};
// -j MARK --set-xmark value/mask (revision 2): mark = (mark & ~mask) ^ value
struct MarkTarget {
  uint32_t value = 0;
  uint32_t mask = 0;
  static MarkTarget or_mark(uint32_t bits) { return {bits, bits}; }
  static MarkTarget xor_mark(uint32_t bits) { return {bits, 0}; }
  bool operator==(const MarkTarget&) const = default;
};

using Target = std::variant<JumpTarget, VerdictTarget, DnatTarget, MasqueradeTarget, RejectTarget, MarkTarget>;

struct Rule {
  Cidr src;
  bool invert_src = false;
  Cidr dst;
  bool invert_dst = false;
  Protocol protocol = Protocol::kAny;  // -p; set together with a PortMatch
  std::string in_iface;
  std::string out_iface;
  std::vector<Match> matches;
  Target target = VerdictTarget{};
  bool operator==(const Rule&) const = default;
};

// Structural hash of a rule (no encoding, no allocation): cheap change detection.
uint64_t rule_hash(const Rule& rule, uint64_t seed = 1469598103934665603ull);

// A named chain and its rules in order.
struct Chain {
  std::string name;
  std::vector<Rule> rules;
  bool operator==(const Chain&) const = default;
};

}  // namespace nodeagent::network::iptables
