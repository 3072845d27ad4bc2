// PodStatus JSON codec: the API's field names, a lossless round trip, errors naming the field.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent/status/generate.h"
#include "agent/status/status_json.h"
#include "test/unit/status/pod_fixtures.h"

using namespace nodeagent;
using namespace nodeagent::status;
using namespace nodeagent::status::testing;

TEST_CASE("time format: RFC 3339 seconds, parse accepts fractions") {
  CHECK(format_time(at(0)) == "2023-11-14T22:13:20Z");
  auto parsed = parse_time("2023-11-14T22:13:20.250Z");
  REQUIRE(parsed.ok());
  CHECK(*parsed == at(0) + std::chrono::milliseconds(250));
  CHECK_FALSE(parse_time("yesterday").ok());
  CHECK_FALSE(parse_time("2023-11-14T22:13:20+02:00").ok());
}

TEST_CASE("a generated status encodes with the API's names and decodes back to the same") {
  kube::Pod pod = make_pod("Always", {container("a")}, {container("init")});
  auto state = runtime_state({exited("init", 0), exited("a", 1, 0), running("a", 1)});
  kube::PodStatus s = generate_pod_status(pod, state, {}, {}, "192.168.1.10", at(1000));

  nlohmann::json j = pod_status_to_json(s);
  CHECK(j["phase"] == "Running");
  CHECK(j["podIP"] == "10.88.0.5");
  CHECK(j["podIPs"][0]["ip"] == "10.88.0.5");
  CHECK(j["hostIPs"][0]["ip"] == "192.168.1.10");
  CHECK(j["qosClass"] == "BestEffort");
  CHECK(j["startTime"] == "2023-11-14T22:30:00Z");
  CHECK(j["conditions"][0]["lastProbeTime"].is_null());
  const auto& cs = j["containerStatuses"][0];
  CHECK(cs["containerID"] == "containerd://a-1");
  CHECK(cs["imageID"] == "sha256:abc");
  CHECK(cs["restartCount"] == 1);
  CHECK(cs["started"] == true);
  CHECK(cs["state"]["running"]["startedAt"] == "2023-11-14T22:15:11Z");
  CHECK(cs["lastState"]["terminated"]["exitCode"] == 1);
  CHECK(cs["lastState"]["terminated"]["reason"] == "Error");
  CHECK(j["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed");

  auto back = pod_status_from_json(j);
  REQUIRE(back.ok());
  CHECK(pod_status_to_json(*back) == j);
  CHECK(back->container_statuses[0].last_state.terminated->finished_at == at(50));
}

TEST_CASE("decode errors name the field") {
  nlohmann::json j = {{"phase", "Running"}, {"containerStatuses", {{{"name", "a"}, {"restartCount", "three"}}}}};
  auto r = pod_status_from_json(j);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "status.containerStatuses[0].restartCount: expected integer");

  j = {{"startTime", "soon"}};
  r = pod_status_from_json(j);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("status.startTime: ", 0) == 0);
}
