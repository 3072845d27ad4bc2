// The applier against the kernel, inside a throwaway netns: the golden ruleset lands in the
// kernel exactly as compiled (iptables-legacy-save prints it without errors and equal to our
// own rendering), foreign chains and rules survive syncs, stale chains go away.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "netns_harness.h"
#include "network/iptables/kernel_table.h"
#include "network/iptables/libiptc_table.h"
#include "network/proxy/applier.h"
#include "network/proxy/change_tracker.h"
#include "test/support/proxy_objects.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using namespace proxytest;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(PROXY_FIXTURES) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "-A ..." lines of iptables-legacy-save for one table, counters and comments stripped.
std::string kernel_rules(const std::string& ns, const std::string& table) {
  return sh_out("ip netns exec " + ns + " iptables-legacy-save -t " + table + " | grep '^-A'");
}

std::string rule_lines(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("-A", 0) == 0) out += line + "\n";
  }
  return out;
}

// Sorted lines, since the kernel lists chains alphabetically.
std::string sorted(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::stable_sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
    return a.substr(0, a.find(' ', 3)) < b.substr(0, b.find(' ', 3));
  });
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

void load_fixture(ChangeTracker& tracker) {
  auto doc = nlohmann::json::parse(fixture("services.json"));
  for (const auto& s : doc["services"]) REQUIRE(tracker.upsert_service(*service_from_json(s)).ok());
  for (const auto& s : doc["endpointSlices"]) tracker.upsert_endpoint_slice(*endpoint_slice_from_json(s));
}

}  // namespace

TEST_CASE("golden ruleset reaches the kernel unchanged and foreign rules survive") {
  // Both table editors must produce the same kernel state.
  const std::string backend = GENERATE(as<std::string>{}, "libiptc", "kernel");
  INFO("backend " << backend);
  const std::string prefix = "naprxk" + std::to_string(getpid() % 100000);
  cleanup_netns_with_prefix("naprxk");
  Netns node(prefix);
  // A foreign chain and rule that must survive every sync.
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -N OTHER-TOOL") == 0);
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A OTHER-TOOL -p tcp --dport 9 -j RETURN") == 0);
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A PREROUTING -j OTHER-TOOL") == 0);

  ChangeTracker tracker("node-a");
  load_fixture(tracker);
  CompilerConfig config;
  config.cluster_cidr = network::iptables::parse_cidr("10.180.0.0/16");
  std::unique_ptr<network::iptables::Iptables> ipt_owner;
  if (backend == "libiptc") ipt_owner = std::make_unique<network::iptables::LibiptcIptables>();
  else ipt_owner = std::make_unique<network::iptables::KernelIptables>();
  network::iptables::Iptables& ipt = *ipt_owner;
  Applier applier(ipt, config);

  std::string error;
  in_netns(node.name(), [&] {
    auto r = applier.apply(tracker.snapshot(), true);
    if (!r.ok()) error = r.error().message;
  });
  REQUIRE(error == "");

  const std::string save_err = sh_out("ip netns exec " + node.name() + " iptables-legacy-save 2>&1 >/dev/null");
  CHECK(save_err.empty());
  const std::string nat = kernel_rules(node.name(), "nat");
  CHECK(nat.find("unsupported") == std::string::npos);
  CHECK(nat.find("-A OTHER-TOOL -p tcp -m tcp --dport 9 -j RETURN") != std::string::npos);
  CHECK(nat.find("-A PREROUTING -j OTHER-TOOL") != std::string::npos);

  // Our rules, as the kernel prints them, equal the golden text (ignoring chain order).
  std::string ours;
  {
    std::istringstream in(nat);
    for (std::string l; std::getline(in, l);) {
      if (l.find("OTHER-TOOL") == std::string::npos) ours += l + "\n";
    }
  }
  CHECK(sorted(ours) == sorted(rule_lines(fixture("golden_nat.txt"))));
  CHECK(sorted(kernel_rules(node.name(), "filter")) == sorted(rule_lines(fixture("golden_filter.txt"))));

  // Remove a Service: its chains disappear, the foreign ones stay, the jumps are not duplicated.
  tracker.delete_service(ObjectName{"ns5", "lb"});
  in_netns(node.name(), [&] {
    auto r = applier.apply(tracker.snapshot(), false);
    if (!r.ok()) error = r.error().message;
  });
  REQUIRE(error == "");
  const std::string after = kernel_rules(node.name(), "nat");
  CHECK(after.find("ns5/lb") == std::string::npos);
  CHECK(after.find("KUBE-SVC-MKRGODWXPHUFYT75") == std::string::npos);
  CHECK(after.find("-A OTHER-TOOL") != std::string::npos);
  const std::string chains = sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t nat | grep -c '^:KUBE-SEP-'");
  CHECK(std::stoi(chains) == 6);  // the golden ruleset's 9 minus ns5/lb's 3
  CHECK(std::stoi(sh_out("ip netns exec " + node.name() +
                         " iptables-legacy-save -t nat | grep -c -- '-A PREROUTING -m comment --comment \"kubernetes service portals\"'")) == 1);

  // The foreign rule is still counted after our commits (counters are handed back).
  CHECK(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -L PREROUTING -v -n -x | grep -q OTHER-TOOL") == 0);

  // A new applier (agent restart) converges on the same kernel tables without duplicates.
  Applier restarted(ipt, config);
  in_netns(node.name(), [&] {
    auto r = restarted.apply(tracker.snapshot(), true);
    if (!r.ok()) error = r.error().message;
  });
  REQUIRE(error == "");
  CHECK(kernel_rules(node.name(), "nat") == after);
}
