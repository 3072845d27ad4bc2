#include "agent/cluster/api_pod_source.h"

#include <catch2/catch.hpp>

#include <thread>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using kube::client::testing::json_response;
using kube::client::testing::ScriptedApi;

namespace {

nlohmann::json api_pod(const std::string& name, const std::string& uid, bool deleting = false) {
  nlohmann::json p = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", {{"namespace", "default"}, {"name", name}, {"uid", uid}, {"resourceVersion", "5"}}},
                      {"spec", {{"nodeName", "n1"}, {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  if (deleting) {
    p["metadata"]["deletionTimestamp"] = "2026-12-02T10:00:00Z";
    p["metadata"]["deletionGracePeriodSeconds"] = 5;
  }
  return p;
}

template <typename F>
bool eventually(F f) {
  for (int i = 0; i < 400; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

TEST_CASE("api pod source: decodes the node's pods; a pod that does not decode is reported once and left out") {
  kube::client::ObjectMap objects;
  objects["default/a"] = api_pod("a", "uid-a");
  auto bad = api_pod("b", "uid-b");
  bad["spec"]["containers"][0]["ports"] = "not-a-list";
  objects["default/b"] = bad;
  std::vector<std::string> problems;
  std::map<std::string, std::string> reported;
  auto on_problem = [&](const std::string& pod, const std::string& msg) { problems.push_back(pod + ": " + msg); };
  auto pods = ApiPodSource::decode_pods(objects, on_problem, &reported);
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]->metadata.uid == "uid-a");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("default/b: ") == 0);
  CHECK(problems[0].find("spec.containers[0].ports") != std::string::npos);
  // The same resourceVersion again: no second report.
  ApiPodSource::decode_pods(objects, on_problem, &reported);
  CHECK(problems.size() == 1);
}

TEST_CASE("api pod source: lists with the node's field selector; a terminated deleted pod gets its final DELETE") {
  std::mutex mu;
  std::vector<std::string> deletes;
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) {
    if (r.method == "DELETE") {
      std::lock_guard lock(mu);
      deletes.push_back(r.url + " " + r.body);
      return json_response(200, "{}");
    }
    if (r.url.find("watch=true") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return json_response(200, "");
    }
    CHECK(r.url.find("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&limit=500") != std::string::npos);
    nlohmann::json list = {{"metadata", {{"resourceVersion", "9"}}},
                           {"items", {api_pod("a", "uid-a"), api_pod("gone", "uid-g", true)}}};
    return json_response(200, list.dump());
  });
  kube::client::ClientConfig cc;
  cc.server = "https://api";
  kube::client::ApiClient client(api, cc);
  ManualClock clock;
  std::atomic<int> deliveries{0};
  std::vector<PodPtr> last;
  std::mutex last_mu;
  ApiPodSource source(
      ClusterContext{&client, "n1", &clock},
      [&](const std::vector<PodPtr>& pods) {
        std::lock_guard lock(last_mu);
        last = pods;
        ++deliveries;
      },
      nullptr);
  source.start();
  REQUIRE(eventually([&] { return deliveries > 0; }));
  {
    std::lock_guard lock(last_mu);
    REQUIRE(last.size() == 2);
  }
  CHECK(source.owns("uid-a"));
  CHECK(!source.owns("uid-x"));

  kube::Pod running;
  running.metadata.name = "a", running.metadata.namespace_ = "default", running.metadata.uid = "uid-a";
  source.on_pod_terminated(running);  // not asked to be deleted: nothing sent
  kube::Pod deleted;
  deleted.metadata.name = "gone", deleted.metadata.namespace_ = "default", deleted.metadata.uid = "uid-g";
  source.on_pod_terminated(deleted);
  source.stop();
  std::lock_guard lock(mu);
  REQUIRE(deletes.size() == 1);
  CHECK(deletes[0].find("https://api/api/v1/namespaces/default/pods/gone ") == 0);
  auto body = nlohmann::json::parse(deletes[0].substr(deletes[0].find(' ') + 1));
  CHECK(body["gracePeriodSeconds"] == 0);
  CHECK(body["preconditions"]["uid"] == "uid-g");
}
