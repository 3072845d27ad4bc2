// ServiceProxy: input is queued and applied on the proxy's own loop (callers return at once),
// in order; flush() waits for it; stop is idempotent. iptables is the in-memory fake.
#include <catch2/catch.hpp>

#include <thread>

#include "agent/services/service_proxy.h"
#include "network/proxy/change_tracker.h"
#include "test/fakes/fake_iptables.h"
#include "test/unit/services/objects.h"

using namespace nodeagent;
using namespace servicestest;

namespace {

size_t endpoint_count(const services::ServiceProxy& p, const std::string& svc = "web") {
  auto snap = p.tracker()->snapshot();
  return snap.endpoints[network::proxy::ServicePortName{"default", svc, ""}].size();
}

}  // namespace

TEST_CASE("the service proxy applies queued input on its own loop") {
  std::vector<std::string> problems;
  services::ServiceProxy p({"node-a", "", {}, 10, "", nullptr},
                           [&](const std::string& object, const std::string&) { problems.push_back(object); },
                           std::make_unique<proxytest::FakeIptables>());
  REQUIRE(p.start().ok());
  p.upsert_service(web());
  p.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));
  REQUIRE(p.flush());
  CHECK(p.tracker()->services().size() == 1);
  CHECK(endpoint_count(p) == 1);

  // Posted from another thread (as the status notifier does), applied in order.
  std::thread poster([&] {
    for (int i = 2; i <= 20; ++i) p.upsert_pod(pod("u" + std::to_string(i), "web-" + std::to_string(i), "10.1.0." + std::to_string(i), true));
    p.delete_pod("u20");
  });
  poster.join();
  REQUIRE(p.flush());
  CHECK(endpoint_count(p) == 19);

  p.upsert_service(service(R"({"metadata": {"name": "bad"}, "spec": {"ports": [{"port": 80}]}})"));
  p.delete_service("default", "web");
  REQUIRE(p.flush());
  CHECK(p.tracker()->services().empty());
  CHECK(problems == std::vector<std::string>{"service default/bad"});

  auto json = p.services_json();
  CHECK(json["items"].empty());
}

TEST_CASE("the service proxy starts syncing after what was posted before, and stops idempotently") {
  services::ServiceProxy p({"node-a", "bad-cidr", {}, 10, "", nullptr}, nullptr, std::make_unique<proxytest::FakeIptables>());
  CHECK_FALSE(p.start().ok());  // configuration checked first

  services::ServiceProxy q({"node-a", "", {}, 10, "", nullptr}, nullptr, std::make_unique<proxytest::FakeIptables>());
  q.upsert_service(web());  // before start: queued
  REQUIRE(q.start().ok());
  q.start_syncing();
  REQUIRE(q.flush());
  CHECK(q.tracker()->services().size() == 1);
  q.stop();
  q.stop();
  CHECK_FALSE(q.flush());
  q.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));  // after stop: dropped, no crash
}
