// Applier, Runner, tracer and services table against the in-memory iptables fake.
#include <catch2/catch.hpp>

#include <thread>

#include "test/fakes/fake_iptables.h"
#include "network/iptables/save_format.h"
#include "network/proxy/applier.h"
#include "network/proxy/chain_names.h"
#include "network/proxy/runner.h"
#include "network/proxy/services_table.h"
#include "network/proxy/tracer.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using proxytest::FakeIptables;

namespace {

ServiceInfo web_service(uint16_t node_port = 0, bool etp_local = false) {
  ServiceInfo s;
  s.name = ObjectName{"default", "web"};
  s.type = node_port ? ServiceType::kNodePort : ServiceType::kClusterIP;
  ServicePortInfo p;
  p.name = ServicePortName{"default", "web", "http"};
  p.cluster_ip = *network::iptables::parse_ipv4("172.30.0.10");
  p.port = 80;
  p.node_port = node_port;
  p.external_policy_local = etp_local;
  s.ports.push_back(p);
  return s;
}

EndpointSliceInfo web_slice(std::vector<std::pair<std::string, bool>> eps, const std::string& node = "node-b") {
  EndpointSliceInfo s;
  s.name = ObjectName{"default", "web-1"};
  s.service_name = "web";
  s.ports.push_back({"http", Protocol::kTcp, 8080});
  for (auto& [ip, ready] : eps) {
    EndpointSliceInfo::Endpoint e;
    e.addresses = {*network::iptables::parse_ipv4(ip)};
    e.ready = ready;
    e.serving = ready;
    e.node_name = node;
    s.endpoints.push_back(e);
  }
  return s;
}

const std::string kSvc = service_chain(ServicePortName{"default", "web", "http"}, Protocol::kTcp);

}  // namespace

TEST_CASE("applier: full then partial sync rewrites only what changed, keeps foreign chains") {
  FakeIptables fake;
  fake.tables["nat"].order.push_back("OTHER");
  fake.tables["nat"].chains["OTHER"] = {network::iptables::Rule{}};
  ChangeTracker tracker("node-a");
  REQUIRE(tracker.upsert_service(web_service()).ok());
  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", true}, {"10.1.0.2", true}}));
  Applier applier(fake, CompilerConfig{});

  auto full = applier.apply(tracker.snapshot(), false);  // first apply is always full
  REQUIRE(full.ok());
  CHECK(full->chains_written > 10);
  CHECK(fake.tables["nat"].chains[kSvc].size() == 2);
  CHECK(fake.tables["nat"].has("OTHER"));

  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", true}, {"10.1.0.3", true}}));
  auto partial = applier.apply(tracker.snapshot(), false);
  REQUIRE(partial.ok());
  // KUBE-SVC + the new KUBE-SEP; the old KUBE-SEP is deleted.
  CHECK(partial->chains_written == 2);
  CHECK(partial->chains_deleted == 1);
  CHECK_FALSE(fake.tables["nat"].has(endpoint_chain(ServicePortName{"default", "web", "http"}, Protocol::kTcp, "10.1.0.2:8080")));
  CHECK(fake.tables["nat"].has("OTHER"));

  auto noop = applier.apply(tracker.snapshot(), false);
  REQUIRE(noop.ok());
  CHECK(noop->chains_written == 0);
}

TEST_CASE("applier: a rejected commit leaves the old rules and forces a full sync next") {
  FakeIptables fake;
  ChangeTracker tracker("node-a");
  REQUIRE(tracker.upsert_service(web_service()).ok());
  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", true}}));
  Applier applier(fake, CompilerConfig{});
  REQUIRE(applier.apply(tracker.snapshot(), true).ok());
  const auto before = fake.tables["nat"].chains;

  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.9", true}}));
  fake.fail_next_commits = 1;
  auto failed = applier.apply(tracker.snapshot(), false);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("changed chains: nat/KUBE-SEP-") != std::string::npos);
  CHECK(failed.error().message.find("rejected by the kernel") != std::string::npos);
  CHECK(fake.tables["nat"].chains == before);

  auto retry = applier.apply(tracker.snapshot(), false);
  REQUIRE(retry.ok());
  CHECK(retry->chains_written > 10);  // full
}

TEST_CASE("runner: syncs changes, retries failures, resyncs when the canary disappears") {
  FakeIptables fake;
  ChangeTracker tracker("node-a");
  REQUIRE(tracker.upsert_service(web_service()).ok());
  Applier applier(fake, CompilerConfig{});
  RunnerConfig rc;
  rc.min_sync_period = std::chrono::milliseconds(20);
  rc.sync_period = std::chrono::milliseconds(50);
  Runner runner(tracker, applier, nullptr, rc);
  fake.fail_next_commits = 1;
  runner.start();
  REQUIRE(runner.wait_synced(std::chrono::seconds(5)));
  CHECK(runner.status().failures == 1);
  CHECK(fake.tables["filter"].chains["KUBE-SERVICES"].size() == 1);  // no endpoints: REJECT

  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", true}}));
  REQUIRE(runner.wait_synced(std::chrono::seconds(5)));
  CHECK(fake.tables["filter"].chains["KUBE-SERVICES"].empty());
  CHECK(fake.tables["nat"].has(kSvc));

  // Someone flushes and deletes our nat chains and the canary: the periodic check resyncs.
  fake.tables["nat"].chains.erase(kSvc);
  fake.tables["mangle"].chains.erase(kCanaryChain);
  for (int i = 0; i < 100 && !fake.tables["nat"].has(kSvc); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(fake.tables["nat"].has(kSvc));
  CHECK(fake.tables["mangle"].has(kCanaryChain));
  runner.stop();
}

TEST_CASE("runner: a full sync at least once per full_sync_period, none without it") {
  for (bool short_period : {false, true}) {
    FakeIptables fake;
    ChangeTracker tracker("node-a");
    REQUIRE(tracker.upsert_service(web_service()).ok());
    Applier applier(fake, CompilerConfig{});
    RunnerConfig rc;
    rc.min_sync_period = std::chrono::milliseconds(10);
    rc.sync_period = std::chrono::milliseconds(20);
    if (short_period) rc.full_sync_period = std::chrono::milliseconds(50);
    Runner runner(tracker, applier, nullptr, rc);
    runner.start();
    REQUIRE(runner.wait_synced(std::chrono::seconds(5)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const RunnerStatus st = runner.status();
    runner.stop();
    INFO("short_period " << short_period << " syncs " << st.syncs);
    if (short_period) {
      CHECK(st.syncs >= 3);
      CHECK(st.last.chains_written > 5);  // a full sync rewrites every chain
    } else {
      CHECK(st.syncs == 1);  // nothing changed: the periodic ticks only check the canary
    }
  }
}

TEST_CASE("tracer explains the live rules: spread, REJECT, ETP Local node port") {
  FakeIptables fake;
  ChangeTracker tracker("node-a");
  REQUIRE(tracker.upsert_service(web_service(30080, true)).ok());
  EndpointSliceInfo slice = web_slice({{"10.1.0.1", true}, {"10.1.0.2", true}, {"10.1.0.3", true}}, "node-a");
  tracker.upsert_endpoint_slice(slice);
  CompilerConfig config;
  config.cluster_cidr = network::iptables::parse_cidr("10.1.0.0/16");
  Applier applier(fake, config);
  REQUIRE(applier.apply(tracker.snapshot(), true).ok());

  auto traced = trace_service(fake, tracker.services(), "web:http");
  REQUIRE(traced.ok());
  REQUIRE(traced->size() == 1);
  const auto& paths = traced->front().paths;
  REQUIRE(paths.size() == 2);
  REQUIRE(paths[0].endpoints.size() == 3);
  for (const auto& e : paths[0].endpoints) CHECK(e.probability == Approx(1.0 / 3).epsilon(1e-6));
  CHECK(paths[0].endpoints[0].destination == "10.1.0.1:8080");
  // Node port under ETP Local: through KUBE-NODEPORTS and KUBE-EXT to the local-only chain.
  std::string text = format_trace(*traced);
  INFO(text);
  CHECK(text.find("masquerade if source not in 10.1.0.0/16") != std::string::npos);
  CHECK(text.find("-> KUBE-NODEPORTS") != std::string::npos);
  CHECK(text.find("-> KUBE-SVL-") != std::string::npos);
  CHECK(paths[1].endpoints.size() == 3);

  // All endpoints unready: the cluster IP is rejected in filter.
  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", false}}, "node-a"));
  REQUIRE(applier.apply(tracker.snapshot(), false).ok());
  auto rejected = trace_service(fake, tracker.services(), "default/web");
  REQUIRE(rejected.ok());
  CHECK(rejected->front().paths[0].verdict.rfind("REJECT (filter KUBE-SERVICES rule 1", 0) == 0);
  CHECK(rejected->front().paths[1].verdict.rfind("REJECT (filter KUBE-EXTERNAL-SERVICES", 0) == 0);

  CHECK_FALSE(trace_service(fake, tracker.services(), "nope").ok());
  CHECK_FALSE(trace_service(fake, tracker.services(), "web:9999").ok());
}

TEST_CASE("tracer follows a load balancer IP through KUBE-FW- and names the firewall drop") {
  FakeIptables fake;
  ChangeTracker tracker("node-a");
  ServiceInfo lb = web_service(30080);
  lb.type = ServiceType::kLoadBalancer;
  lb.ports[0].load_balancer_ips = {*network::iptables::parse_ipv4("198.51.100.10")};
  lb.ports[0].load_balancer_source_ranges = {*network::iptables::parse_cidr("192.168.0.0/16")};
  REQUIRE(tracker.upsert_service(lb).ok());
  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", true}}, "node-a"));
  Applier applier(fake, CompilerConfig{});
  REQUIRE(applier.apply(tracker.snapshot(), true).ok());

  auto traced = trace_service(fake, tracker.services(), "web");
  REQUIRE(traced.ok());
  const std::string text = format_trace(*traced);
  INFO(text);
  CHECK(text.find("load balancer IP 198.51.100.10:80/tcp") != std::string::npos);
  CHECK(text.find(": if source in 192.168.0.0/16 -> KUBE-EXT-") != std::string::npos);
  CHECK(text.find("sources not allowed by loadBalancerSourceRanges: DROP (filter KUBE-PROXY-FIREWALL rule 1") !=
        std::string::npos);
  const auto& lb_path = traced->front().paths.at(1);
  REQUIRE(lb_path.endpoints.size() == 1);
  CHECK(lb_path.endpoints[0].destination == "10.1.0.1:8080");
}

TEST_CASE("services table counts ready and total endpoints") {
  ChangeTracker tracker("node-a");
  REQUIRE(tracker.upsert_service(web_service(30080)).ok());
  tracker.upsert_endpoint_slice(web_slice({{"10.1.0.1", true}, {"10.1.0.2", false}}));
  auto rows = services_table(tracker.services(), tracker.snapshot());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].type == "NodePort");
  CHECK(rows[0].ports == "80:30080/TCP");
  CHECK(rows[0].ready == 1);
  CHECK(rows[0].total == 2);
  CHECK(format_services_table(rows) ==
        "NAMESPACE   NAME   TYPE       CLUSTER-IP    EXTERNAL-IP   PORT(S)        ENDPOINTS\n"
        "default     web    NodePort   172.30.0.10   <none>        80:30080/TCP   1/2\n");
}
