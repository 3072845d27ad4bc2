// Golden tests of the pure compiler: the fixture Services/EndpointSlices (JSON as users write
// them) compile to exactly the reviewed nat/filter rulesets in test/fixtures/proxy/.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "network/iptables/save_format.h"
#include "network/proxy/change_tracker.h"
#include "network/proxy/chain_names.h"
#include "network/proxy/compiler.h"
#include "test/support/proxy_objects.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using proxytest::endpoint_slice_from_json;
using proxytest::service_from_json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<ChangeTracker> load_fixture() {
  auto owned = std::make_unique<ChangeTracker>("node-a");
  ChangeTracker& tracker = *owned;
  auto doc = nlohmann::json::parse(read_file(std::string(PROXY_FIXTURES) + "/services.json"));
  for (const auto& s : doc["services"]) {
    auto svc = service_from_json(s);
    REQUIRE(svc.ok());
    REQUIRE(tracker.upsert_service(*svc).ok());
  }
  for (const auto& s : doc["endpointSlices"]) {
    auto slice = endpoint_slice_from_json(s);
    REQUIRE(slice.ok());
    tracker.upsert_endpoint_slice(*slice);
  }
  return owned;
}

CompilerConfig fixture_config() {
  CompilerConfig config;
  config.cluster_cidr = network::iptables::parse_cidr("10.180.0.0/16");
  return config;
}

// Set PROXY_UPDATE_GOLDEN=1 to rewrite the golden files after reviewing a deliberate change.
void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PROXY_FIXTURES) + "/" + name;
  if (std::getenv("PROXY_UPDATE_GOLDEN")) std::ofstream(path) << actual;
  CHECK(actual == read_file(path));
}

}  // namespace

TEST_CASE("compiler output matches the golden nat and filter tables") {
  auto tracker = load_fixture();
  Ruleset rs = compile_ruleset(tracker->snapshot(), fixture_config());
  check_golden("golden_nat.txt", format_table(rs.nat));
  check_golden("golden_filter.txt", format_table(rs.filter));
}

TEST_CASE("compiler is deterministic") {
  auto tracker = load_fixture();
  auto a = compile_ruleset(tracker->snapshot(), fixture_config());
  auto b = compile_ruleset(tracker->snapshot(), fixture_config());
  CHECK(format_table(a.nat) == format_table(b.nat));
}

TEST_CASE("random spread gives each of n endpoints 1/n") {
  ProxyState state;
  ServicePortName name{"ns", "web", ""};
  ServicePortInfo svc;
  svc.name = name;
  svc.cluster_ip = *network::iptables::parse_ipv4("172.30.0.1");
  svc.port = 80;
  state.services[name] = svc;
  for (uint32_t i = 0; i < 4; ++i) state.endpoints[name].push_back(EndpointInfo{0x0ab40000u + i, 8080, true, true, false, false, ""});
  Ruleset rs = compile_ruleset(state, CompilerConfig{});
  const auto* chain = rs.find(TableId::kNat, service_chain(name, Protocol::kTcp));
  REQUIRE(chain);
  REQUIRE(chain->rules.size() == 4);  // no cluster CIDR -> no masquerade rule
  std::vector<std::string> lines;
  for (const auto& r : chain->rules) lines.push_back(network::iptables::format_rule_spec(r));
  CHECK(lines[0].find("--probability 0.25000000000") != std::string::npos);
  CHECK(lines[1].find("--probability 0.33333333349") != std::string::npos);
  CHECK(lines[2].find("--probability 0.50000000000") != std::string::npos);
  CHECK(lines[3].find("statistic") == std::string::npos);
}

TEST_CASE("large clusters drop per-endpoint comments like kube-proxy") {
  ProxyState state;
  ServicePortName name{"ns", "web", "http"};
  ServicePortInfo svc;
  svc.name = name;
  svc.cluster_ip = 1;
  svc.port = 80;
  state.services[name] = svc;
  state.endpoints[name].push_back(EndpointInfo{0x0ab40001u, 80, true, true, false, false, ""});
  CompilerConfig config;
  config.large_cluster_endpoints_threshold = 0;
  Ruleset rs = compile_ruleset(state, config);
  const auto* sep = rs.find(TableId::kNat, endpoint_chain(name, Protocol::kTcp, "10.180.0.1:80"));
  REQUIRE(sep);
  CHECK(network::iptables::format_rule_spec(sep->rules[1]) == "-p tcp -m tcp -j DNAT --to-destination 10.180.0.1:80");
}

TEST_CASE("a Service whose endpoints all went unready is rejected in filter, not sent to nat") {
  auto tracker = load_fixture();
  auto slice = endpoint_slice_from_json(nlohmann::json::parse(R"({
    "metadata": {"name": "svc1-abc", "namespace": "ns1", "labels": {"kubernetes.io/service-name": "svc1"}},
    "addressType": "IPv4", "ports": [{"name": "p80", "port": 80}],
    "endpoints": [{"addresses": ["10.180.0.1"], "conditions": {"ready": false}}]})"));
  REQUIRE(slice.ok());
  tracker->upsert_endpoint_slice(*slice);
  Ruleset rs = compile_ruleset(tracker->snapshot(), fixture_config());
  CHECK(rs.find(TableId::kNat, "KUBE-SVC-XPGD46QRK7WJZT7O") == nullptr);
  CHECK(format_table(rs.filter).find("-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable") != std::string::npos);
}

TEST_CASE("internalTrafficPolicy Local: cluster IP uses local endpoints only, drops without them") {
  ProxyState state;
  ServicePortName name{"ns", "itp", ""};
  ServicePortInfo svc;
  svc.name = name;
  svc.cluster_ip = *network::iptables::parse_ipv4("172.30.0.9");
  svc.port = 80;
  svc.internal_policy_local = true;
  state.services[name] = svc;
  state.endpoints[name] = {EndpointInfo{*network::iptables::parse_ipv4("10.1.0.1"), 80, true, true, false, true, "node-a"},
                           EndpointInfo{*network::iptables::parse_ipv4("10.2.0.1"), 80, true, true, false, false, "node-b"}};
  Ruleset rs = compile_ruleset(state, CompilerConfig{});
  const std::string nat = format_table(rs.nat);
  CHECK(nat.find("-A KUBE-SERVICES -d 172.30.0.9/32 -p tcp -m comment --comment \"ns/itp cluster IP\" -m tcp --dport 80 -j " +
                 service_local_chain(name, Protocol::kTcp)) != std::string::npos);
  CHECK(nat.find("10.2.0.1") == std::string::npos);
  CHECK(rs.find(TableId::kNat, service_chain(name, Protocol::kTcp)) == nullptr);

  state.endpoints[name].erase(state.endpoints[name].begin());  // only the remote one is left
  Ruleset none = compile_ruleset(state, CompilerConfig{});
  CHECK(format_table(none.filter).find("-A KUBE-SERVICES -d 172.30.0.9/32 -p tcp -m comment --comment \"ns/itp has no local endpoints\" -m tcp --dport 80 -j DROP") != std::string::npos);
}

namespace {

// Records which chains a compile emitted and which Services it kept.
class RecordingSink : public RulesetSink {
 public:
  void chain(TableId t, const std::string& name, const std::vector<network::iptables::Rule>&) override {
    chains.insert(std::string(table_name(t)) + "/" + name);
  }
  void jump(TableId, const std::string&, const network::iptables::Rule&) override {}
  void keep_service(const ServicePortName& name) override { kept.insert(name); }
  std::set<std::string> chains;
  std::set<ServicePortName> kept;
};

}  // namespace

TEST_CASE("partial compile: only the named Services are rebuilt; keep_shared leaves the shared chains out") {
  auto tracker = load_fixture();
  const ProxyState state = tracker->snapshot();
  REQUIRE(state.services.size() > 2);
  const ServicePortName changed = state.services.begin()->first;
  const std::set<ServicePortName> only{changed};
  const std::string svc_chain = "nat/" + service_chain(changed, state.services.begin()->second.protocol);

  RecordingSink partial;
  compile(state, CompilerConfig{}, partial, &only);
  CHECK(partial.chains.count("nat/KUBE-SERVICES") == 1);
  CHECK(partial.chains.count(svc_chain) == 1);
  CHECK(partial.kept.size() == state.services.size() - 1);
  CHECK(partial.kept.count(changed) == 0);

  RecordingSink lean;
  compile(state, CompilerConfig{}, lean, &only, true);
  CHECK(lean.chains.count("nat/KUBE-SERVICES") == 0);
  CHECK(lean.chains.count("nat/KUBE-NODEPORTS") == 0);
  CHECK(lean.chains.count("filter/KUBE-SERVICES") == 0);
  CHECK(lean.chains.count(svc_chain) == 1);
  CHECK(lean.kept == partial.kept);
}

TEST_CASE("same_entry_points: an endpoint moving keeps them, the last endpoint going away does not") {
  ServicePortInfo svc;
  svc.name = ServicePortName{"ns", "a", "http"};
  svc.cluster_ip = 0xAC1E0001;
  svc.port = 80;
  const std::vector<EndpointInfo> two{{0x0A010001, 8080, true, true, false, false, "n"},
                                      {0x0A010002, 8080, true, true, false, false, "n"}};
  std::vector<EndpointInfo> moved = two;
  moved[0].ip = 0x0A010009;
  CHECK(same_entry_points(svc, two, svc, moved));
  CHECK_FALSE(same_entry_points(svc, two, svc, {}));
  std::vector<EndpointInfo> unready = two;
  for (auto& e : unready) e.ready = e.serving = false;
  CHECK_FALSE(same_entry_points(svc, two, svc, unready));
  ServicePortInfo other_port = svc;
  other_port.port = 81;
  CHECK_FALSE(same_entry_points(svc, two, other_port, two));
  // internalTrafficPolicy Local: only local endpoints count for the cluster IP.
  ServicePortInfo local = svc;
  local.internal_policy_local = true;
  std::vector<EndpointInfo> one_local = two;
  one_local[0].is_local = true;
  CHECK_FALSE(same_entry_points(local, two, local, one_local));
}

TEST_CASE("loadBalancerSourceRanges: a range holding the node IP also admits the VIP as source; no endpoints, no KUBE-FW") {
  auto tracker = load_fixture();
  CompilerConfig config = fixture_config();
  config.node_ip = network::iptables::parse_ipv4("203.0.113.9");  // inside 203.0.113.0/25
  std::string nat = format_table(compile_ruleset(tracker->snapshot(), config).nat);
  CHECK(nat.find("-A KUBE-FW-NUKIZ6OKUXPJNT4C -s 5.6.7.8/32 -m comment --comment \"ns5/svc5:p80 loadbalancer IP\" -j KUBE-EXT-NUKIZ6OKUXPJNT4C") !=
        std::string::npos);
  config.node_ip = network::iptables::parse_ipv4("203.0.113.200");  // outside it
  nat = format_table(compile_ruleset(tracker->snapshot(), config).nat);
  CHECK(nat.find("-A KUBE-FW-NUKIZ6OKUXPJNT4C -s 5.6.7.8/32") == std::string::npos);

  // Without endpoints the LB IP is rejected in filter and there is nothing to firewall.
  auto slice = endpoint_slice_from_json(nlohmann::json::parse(R"({
    "metadata": {"name": "svc5-1", "namespace": "ns5", "labels": {"kubernetes.io/service-name": "svc5"}},
    "addressType": "IPv4", "ports": [{"name": "p80", "port": 80}], "endpoints": []})"));
  REQUIRE(slice.ok());
  tracker->upsert_endpoint_slice(*slice);
  Ruleset rs = compile_ruleset(tracker->snapshot(), config);
  CHECK(rs.find(TableId::kNat, "KUBE-FW-NUKIZ6OKUXPJNT4C") == nullptr);
  const std::string filter = format_table(rs.filter);
  CHECK(filter.find("traffic not accepted by KUBE-FW-") == std::string::npos);
  CHECK(filter.find("-A KUBE-EXTERNAL-SERVICES -d 5.6.7.8/32 -p tcp -m comment --comment \"ns5/svc5:p80 has no endpoints\"") !=
        std::string::npos);
}

TEST_CASE("externalTrafficPolicy Local without a local endpoint: KUBE-EXT- keeps the short-circuit, filter drops the rest") {
  auto tracker = load_fixture();
  auto svc = service_from_json(nlohmann::json::parse(R"({"metadata": {"name": "remote", "namespace": "ns6"},
    "spec": {"type": "NodePort", "clusterIP": "172.30.0.60", "externalTrafficPolicy": "Local",
             "ports": [{"name": "p80", "port": 80, "nodePort": 30060}]}})"));
  REQUIRE(svc.ok());
  REQUIRE(tracker->upsert_service(*svc).ok());
  auto slice = endpoint_slice_from_json(nlohmann::json::parse(R"({
    "metadata": {"name": "remote-1", "namespace": "ns6", "labels": {"kubernetes.io/service-name": "remote"}},
    "addressType": "IPv4", "ports": [{"name": "p80", "port": 80}],
    "endpoints": [{"addresses": ["10.180.9.9"], "nodeName": "node-z"}]})"));
  REQUIRE(slice.ok());
  tracker->upsert_endpoint_slice(*slice);
  Ruleset rs = compile_ruleset(tracker->snapshot(), fixture_config());
  const std::string ext = external_chain(ServicePortName{"ns6", "remote", "p80"}, Protocol::kTcp);
  const auto* chain = rs.find(TableId::kNat, ext);
  REQUIRE(chain != nullptr);
  const std::string nat = format_table(rs.nat);
  INFO(nat);
  CHECK(nat.find("-A " + ext + " -s 10.180.0.0/16 -m comment --comment \"pod traffic for ns6/remote:p80 external destinations\"") !=
        std::string::npos);
  CHECK(nat.find("-A " + ext + " -m comment --comment \"route LOCAL traffic for ns6/remote:p80 external destinations\"") !=
        std::string::npos);
  CHECK(nat.find("-A " + ext + " -j KUBE-SVL-") == std::string::npos);  // no local endpoint to send the rest to
  CHECK(nat.find("-A KUBE-NODEPORTS -p tcp -m comment --comment \"ns6/remote:p80\" -m tcp --dport 30060 -j " + ext) !=
        std::string::npos);
  CHECK(format_table(rs.filter).find("\"ns6/remote:p80 has no local endpoints\" -m addrtype --dst-type LOCAL -m tcp --dport 30060 -j DROP") !=
        std::string::npos);
}
