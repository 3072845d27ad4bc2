// Statuses on disk: a generated status encodes with the API's names (kube/encode.h) and decodes
// back the same, and files written by the old agent/status/status_json codec are still read.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/status/generate.h"
#include "agent/status/status_manager.h"
#include "kube/decode.h"
#include "kube/encode.h"
#include "test/support/temp_dir.h"
#include "test/unit/status/pod_fixtures.h"

using namespace nodeagent;
using namespace nodeagent::status;
using namespace nodeagent::status::testing;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST_CASE("a generated status encodes with the API's names and decodes back to the same") {
  kube::Pod pod = make_pod("Always", {container("a")}, {container("init")});
  auto state = runtime_state({exited("init", 0), exited("a", 1, 0), running("a", 1)});
  kube::PodStatus s = generate_pod_status(pod, state, {}, {}, "192.168.1.10", at(1000));

  nlohmann::json j = kube::encode(s);
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

  auto back = kube::decode_pod_status(j);
  REQUIRE(back.ok());
  CHECK(back->warnings.empty());
  CHECK(kube::encode(back->object) == j);
  CHECK(back->object.container_statuses[0].last_state.terminated->finished_at == at(50));
}

TEST_CASE("a status.json in the old status_json format is still read") {
  // test/fixtures/status/status_json_v1.json was written by agent/status/status_json.cc
  // (pod_status_to_json(...).dump(2)) just before that codec was removed.
  const fs::path fixture = fs::path(STATUS_FIXTURES) / "status_json_v1.json";
  const auto old_json = nlohmann::json::parse(read_text(fixture));

  const nodeagent::testing::TempDir tmp("na-status-file");
  const fs::path root = tmp.path();
  fs::create_directories(root / "pods" / "uid-1");
  fs::copy_file(fixture, root / "pods" / "uid-1" / "status.json");

  StatusManager manager(root.string());
  auto report = manager.load_all();
  REQUIRE(report.ok());
  auto s = manager.get_pod_status("uid-1");
  manager.stop();
  REQUIRE(s);

  CHECK(s->phase == "Running");
  CHECK(s->message == "all good");
  CHECK(s->nominated_node_name == "node-b");
  CHECK(s->host_ip == "192.168.1.10");
  REQUIRE(s->pod_ips.size() == 1);
  CHECK(s->pod_ips[0].ip == "10.88.0.5");
  CHECK(s->start_time == at(100));  // written at second precision
  CHECK(s->qos_class == "Burstable");
  REQUIRE(s->conditions.size() == 3);
  CHECK_FALSE(s->conditions[0].last_probe_time);
  CHECK(s->conditions[2].reason == "ContainersNotReady");
  CHECK(s->conditions[2].last_probe_time == at(103));
  REQUIRE(s->init_container_statuses.size() == 1);
  CHECK(s->init_container_statuses[0].state.terminated->reason == "Completed");
  CHECK(s->init_container_statuses[0].started == false);
  REQUIRE(s->container_statuses.size() == 2);
  const auto& a = s->container_statuses[0];
  CHECK(a.restart_count == 2);
  CHECK(a.started == true);
  CHECK(a.state.running->started_at == at(90));
  CHECK(a.last_state.terminated->signal == 9);
  CHECK(a.last_state.terminated->exit_code == 137);
  CHECK(a.last_state.terminated->finished_at == at(80));
  const auto& b = s->container_statuses[1];
  CHECK(b.state.waiting->reason == "CrashLoopBackOff");
  CHECK_FALSE(b.last_state.terminated->started_at);
  REQUIRE(s->ephemeral_container_statuses.size() == 1);
  CHECK(s->ephemeral_container_statuses[0].state.running);

  // The kube encoder writes it back identically, except that metav1.Time in running.startedAt
  // is a struct (never omitted, null when zero) where status_json left the key out.
  auto expected = old_json;
  expected["ephemeralContainerStatuses"][0]["state"]["running"]["startedAt"] = nullptr;
  CHECK(kube::encode(*s) == expected);
}

TEST_CASE("decode errors name the field") {
  nlohmann::json j = {{"phase", "Running"}, {"containerStatuses", {{{"name", "a"}, {"restartCount", "three"}}}}};
  auto r = kube::decode_pod_status(j);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("status.containerStatuses[0].restartCount: expected integer", 0) == 0);

  j = {{"startTime", "soon"}};
  r = kube::decode_pod_status(j);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("status.startTime: ", 0) == 0);
}
