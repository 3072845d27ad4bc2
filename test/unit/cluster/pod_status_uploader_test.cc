#include "agent/cluster/pod_status_uploader.h"

#include <catch2/catch.hpp>

#include <thread>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using kube::client::testing::json_response;
using kube::client::testing::ScriptedApi;

namespace {

kube::PodStatus running_status(const std::string& ip) {
  kube::PodStatus s;
  s.phase = "Running";
  s.pod_ip = ip;
  return s;
}

std::shared_ptr<const kube::Pod> pod_named(const std::string& name, const std::string& uid) {
  auto p = std::make_shared<kube::Pod>();
  p->metadata.name = name;
  p->metadata.namespace_ = "default";
  p->metadata.uid = uid;
  return p;
}

}  // namespace

TEST_CASE("status uploader: a strategic merge patch of pods/status with the uid, only when the status changed") {
  std::atomic<long> answer{200};
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest&) { return json_response(answer, "{}"); });
  kube::client::ClientConfig cc;
  cc.server = "https://api";
  kube::client::ApiClient client(api, cc);
  ManualClock clock;
  status::StatusManager statuses("");
  PodStatusUploader uploader(ClusterContext{&client, "n1", &clock}, statuses, [](const std::string& uid) -> std::optional<std::shared_ptr<const kube::Pod>> {
    if (uid == "static-uid") return std::nullopt;  // not an API pod
    return pod_named("web", uid);
  }, std::chrono::milliseconds(20));

  statuses.set_pod_status("uid-1", running_status("10.244.0.5"));
  statuses.set_pod_status("static-uid", running_status("10.244.0.6"));
  uploader.start();
  for (int i = 0; i < 400 && uploader.patches() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(uploader.patches() == 1);
  const auto r = api->requests.at(0);
  CHECK(r.method == "PATCH");
  CHECK(r.url == "https://api/api/v1/namespaces/default/pods/web/status");
  CHECK(r.content_type == "application/strategic-merge-patch+json");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["metadata"]["uid"] == "uid-1");
  CHECK(body["status"]["podIP"] == "10.244.0.5");
  CHECK(body["status"]["phase"] == "Running");

  // Nothing changed: the catch-up ticks send nothing more.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(uploader.patches() == 1);

  // The API server is away: the change is kept and caught up once it is back.
  answer = 503;
  statuses.set_pod_status("uid-1", running_status("10.244.0.7"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(uploader.patches() == 1);
  answer = 200;
  for (int i = 0; i < 400 && uploader.patches() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(uploader.patches() == 2);
  CHECK(nlohmann::json::parse(api->requests.back().body)["status"]["podIP"] == "10.244.0.7");
  uploader.stop();
}
