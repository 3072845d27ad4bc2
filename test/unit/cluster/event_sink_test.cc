#include "agent/cluster/event_sink.h"

#include <catch2/catch.hpp>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using kube::client::testing::json_response;
using kube::client::testing::ScriptedApi;

namespace {

kube::Event event(const std::string& name, int count, const std::string& reason = "Started") {
  kube::Event e;
  e.metadata.name = name;
  e.metadata.namespace_ = "default";
  e.involved_object.kind = "Pod";
  e.involved_object.name = "web";
  e.involved_object.uid = "uid-1";
  e.reason = reason;
  e.count = count;
  e.type = "Normal";
  return e;
}

}  // namespace

TEST_CASE("event sink: new events are created, aggregated ones patched (created when missing), kept while the API server is away") {
  long patch_answer = 200;
  long create_answer = 201;
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) {
    return json_response(r.method == "PATCH" ? patch_answer : create_answer, "{}");
  });
  kube::client::ClientConfig cc;
  cc.server = "https://api";
  kube::client::ApiClient client(api, cc);
  ManualClock clock;
  EventSink sink(ClusterContext{&client, "n1", &clock});

  sink.post(event("web.1", 1));
  CHECK(sink.flush() == 1);
  CHECK(api->requests.back().method == "POST");
  CHECK(api->requests.back().url == "https://api/api/v1/namespaces/default/events");

  sink.post(event("web.1", 2));
  CHECK(sink.flush() == 1);
  CHECK(api->requests.back().method == "PATCH");
  CHECK(api->requests.back().url == "https://api/api/v1/namespaces/default/events/web.1");
  CHECK(nlohmann::json::parse(api->requests.back().body)["count"] == 2);

  patch_answer = 404;
  sink.post(event("web.1", 3));
  CHECK(sink.flush() == 1);
  CHECK(api->requests.back().method == "POST");
  CHECK(nlohmann::json::parse(api->requests.back().body)["count"] == 3);

  create_answer = 503;
  sink.post(event("web.2", 1, "Pulled"));
  CHECK(sink.flush() == 0);
  create_answer = 201;
  CHECK(sink.flush() == 1);
}

TEST_CASE("event sink: the spam filter lets a burst through per object, then drops") {
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest&) { return json_response(201, "{}"); });
  kube::client::ClientConfig cc;
  cc.server = "https://api";
  kube::client::ApiClient client(api, cc);
  ManualClock clock;
  EventSinkOptions o;
  o.burst = 3;
  EventSink sink(ClusterContext{&client, "n1", &clock}, o);
  for (int i = 0; i < 5; ++i) sink.post(event("web." + std::to_string(i), 1, "BackOff"));
  CHECK(sink.flush() == 3);
  CHECK(sink.dropped() == 2);
}
