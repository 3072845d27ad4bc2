// Rule -> ipt_entry -> Rule round trip for every match and target the proxy uses, and the
// iptables-save text of each (the kernel-side check is in test/integration/proxy).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include "network/iptables/encode.h"
#include "network/iptables/save_format.h"

using namespace nodeagent::network::iptables;

namespace {
std::string target_name(const Rule& r) {
  if (auto* j = std::get_if<JumpTarget>(&r.target)) return j->chain;
  if (auto* v = std::get_if<VerdictTarget>(&r.target))
    return v->kind == VerdictTarget::kAccept ? "ACCEPT" : v->kind == VerdictTarget::kDrop ? "DROP" : "RETURN";
  if (std::holds_alternative<DnatTarget>(r.target)) return "DNAT";
  if (std::holds_alternative<MasqueradeTarget>(r.target)) return "MASQUERADE";
  if (std::holds_alternative<RejectTarget>(r.target)) return "REJECT";
  return "MARK";
}

Rule with_target(Target t) {
  Rule r;
  r.target = std::move(t);
  return r;
}

// What libiptc hands back for a jump: the kernel's standard target, whose name is "".
EncodedRule as_kernel(const Rule& r) {
  auto enc = encode_rule(r, JumpEncoding::kStandardVerdict);
  return enc;
}
}  // namespace

TEST_CASE("encode/decode round trip and save text") {
  std::vector<std::pair<Rule, std::string>> cases;
  {
    Rule r;
    r.dst = *parse_cidr("172.30.0.10");
    r.protocol = Protocol::kTcp;
    r.matches = {CommentMatch{"default/web:http cluster IP"}, PortMatch{Protocol::kTcp, 80, 0}};
    r.target = JumpTarget{"KUBE-SVC-ABC"};
    cases.push_back({r, "-d 172.30.0.10/32 -p tcp -m comment --comment \"default/web:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-ABC"});
  }
  {
    Rule r;
    r.src = *parse_cidr("10.0.0.0/8");
    r.invert_src = true;
    r.protocol = Protocol::kUdp;
    r.matches = {PortMatch{Protocol::kUdp, 53, 0}, MarkMatch{0x4000, 0x4000, true}};
    r.target = VerdictTarget{VerdictTarget::kReturn};
    cases.push_back({r, "! -s 10.0.0.0/8 -p udp -m udp --dport 53 -m mark ! --mark 0x4000/0x4000 -j RETURN"});
  }
  {
    Rule r;
    r.protocol = Protocol::kSctp;
    r.matches = {RecentMatch{"KUBE-SEP-X", true, 0, false}, PortMatch{Protocol::kSctp, 0, 0}};
    r.target = DnatTarget{*parse_ipv4("10.1.2.3"), 8080};
    cases.push_back({r, "-p sctp -m recent --set --name KUBE-SEP-X --mask 255.255.255.255 --rsource -m sctp -j DNAT --to-destination 10.1.2.3:8080"});
  }
  {
    Rule r;
    r.matches = {RecentMatch{"KUBE-SEP-X", false, 10800, true}, StatisticRandomMatch::from_probability(0.25)};
    r.target = JumpTarget{"KUBE-SEP-X"};
    cases.push_back({r, "-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-X --mask 255.255.255.255 --rsource -m statistic --mode random --probability 0.25000000000 -j KUBE-SEP-X"});
  }
  {
    Rule r;
    r.in_iface = "eth0";
    r.matches = {ConntrackStateMatch{ConntrackStateMatch::kRelated | ConntrackStateMatch::kEstablished},
                 AddrTypeMatch{true, true, true, false}};
    r.target = VerdictTarget{VerdictTarget::kAccept};
    cases.push_back({r, "-i eth0 -m conntrack --ctstate RELATED,ESTABLISHED -m addrtype ! --src-type LOCAL --dst-type LOCAL -j ACCEPT"});
  }
  cases.push_back({with_target(MasqueradeTarget{true}), "-j MASQUERADE --random-fully"});
  cases.push_back({with_target(MarkTarget::or_mark(0x4000)), "-j MARK --set-xmark 0x4000/0x4000"});
  cases.push_back({with_target(RejectTarget{}), "-j REJECT --reject-with icmp-port-unreachable"});

  for (const auto& [rule, text] : cases) {
    CHECK(format_rule_spec(rule) == text);
    auto enc = as_kernel(rule);
    const auto* e = reinterpret_cast<const ipt_entry*>(enc.bytes.data());
    CHECK(e->next_offset == enc.bytes.size());
    CHECK(e->target_offset < e->next_offset);
    CHECK(enc.bytes.size() % 8 == 0);
    auto back = decode_rule(e, target_name(rule));
    REQUIRE(back.ok());
    CHECK(*back == rule);
    CHECK(rule_hash(*back) == rule_hash(rule));
  }
}

TEST_CASE("rule hash tells rules apart") {
  Rule a;
  a.target = DnatTarget{1, 80};
  Rule b = a;
  b.target = DnatTarget{1, 81};
  CHECK(rule_hash(a) != rule_hash(b));
}

TEST_CASE("rule hash sees every byte of a string, and where a string ends") {
  auto with_comment = [](std::string text) {
    Rule r;
    r.matches.push_back(CommentMatch{std::move(text)});
    return r;
  };
  const std::string base = "ns/svc:http -> 10.1.2.3:8080";
  for (size_t i = 0; i < base.size(); ++i) {
    std::string other = base;
    other[i] ^= 1;
    CHECK(rule_hash(with_comment(base)) != rule_hash(with_comment(other)));
  }
  Rule two = with_comment("ab");
  two.matches.push_back(CommentMatch{"c"});
  Rule two_split = with_comment("a");
  two_split.matches.push_back(CommentMatch{"bc"});
  CHECK(rule_hash(two) != rule_hash(two_split));
}

TEST_CASE("format_ipv4 writes what inet_ntop writes") {
  for (uint32_t addr : {0u, 1u, 0x0a000001u, 0x7f000001u, 0xc0a80a64u, 0xffffffffu, 0x01020304u, 0x0a630a09u}) {
    in_addr a{htonl(addr)};
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    CHECK(format_ipv4(addr) == buf);
  }
  for (uint32_t addr = 0; addr < 0xffffffffu - 104729u; addr += 104729u * 7) {
    in_addr a{htonl(addr)};
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    REQUIRE(format_ipv4(addr) == buf);
  }
}
