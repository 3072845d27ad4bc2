#include "kube/client/reflector.h"

#include <catch2/catch.hpp>

#include <thread>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using namespace nodeagent::kube::client;
using testing::json_response;
using testing::ScriptedApi;

namespace {

std::string pod(const std::string& name, const std::string& rv) {
  return nlohmann::json{{"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}}}}.dump();
}

ClientConfig config() {
  ClientConfig c;
  c.server = "https://api:6443";
  return c;
}

}  // namespace

TEST_CASE("reflector: pages a list with continue tokens and keeps every object") {
  auto api = std::make_shared<ScriptedApi>([](const http::HttpRequest& r) {
    if (r.url.find("continue=") == std::string::npos)
      return json_response(200, R"({"metadata":{"continue":"t1","resourceVersion":"9"},"items":[)" + pod("a", "3") + "]}");
    return json_response(200, R"({"metadata":{"resourceVersion":"10"},"items":[)" + pod("b", "4") + "]}");
  });
  ApiClient client(api, config());
  ObjectMap last;
  ReflectorOptions o;
  o.what = "pods", o.path = "/api/v1/pods", o.field_selector = "spec.nodeName=n1", o.page_size = 1;
  Reflector r(client, o,
              [&](const ObjectMap& objects, bool relisted) {
                CHECK(relisted);
                last = objects;
              });
  REQUIRE(r.list().ok());
  CHECK(last.size() == 2);
  CHECK(last.count("default/a") == 1);
  CHECK(last.count("default/b") == 1);
  CHECK(r.resource_version() == "10");
  CHECK(api->requests.at(0).url == "https://api:6443/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&limit=1");
  CHECK(api->requests.at(1).url.find("&continue=t1") != std::string::npos);
}

TEST_CASE("reflector: a list's items get the kind and apiVersion the list names, as the watch's objects have them") {
  // The API server leaves them out of a PodList's items; the agent's decoder requires them (a
  // restarted agent once took every listed pod for invalid and stopped it).
  auto api = std::make_shared<ScriptedApi>([](const http::HttpRequest&) {
    return json_response(200, R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[)" +
                                  pod("a", "3") + "]}");
  });
  ApiClient client(api, config());
  ObjectMap last;
  ReflectorOptions o;
  o.what = "pods", o.path = "/api/v1/pods";
  Reflector r(client, o, [&](const ObjectMap& objects, bool) { last = objects; });
  REQUIRE(r.list().ok());
  REQUIRE(last.count("default/a") == 1);
  CHECK(last.at("default/a").value("kind", "") == "Pod");
  CHECK(last.at("default/a").value("apiVersion", "") == "v1");
}

TEST_CASE("reflector: watch events update the copy, from the list's resourceVersion, with bookmarks") {
  std::string watch_body = std::string(R"({"type":"ADDED","object":)") + pod("c", "11") + "}\n" +
                           R"({"type":"MODIFIED","object":)" + pod("a", "12") + "}\n" +
                           R"({"type":"DELETED","object":)" + pod("b", "13") + "}\n" +
                           R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"20"}}})" + "\n";
  std::string watch_url;
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) {
    if (r.url.find("watch=true") != std::string::npos) {
      watch_url = r.url;
      return json_response(200, watch_body);
    }
    return json_response(200, R"({"metadata":{"resourceVersion":"10"},"items":[)" + pod("a", "3") + "," + pod("b", "4") + "]}");
  });
  ApiClient client(api, config());
  ObjectMap last;
  int changes = 0;
  ReflectorOptions o;
  o.what = "pods", o.path = "/api/v1/pods", o.min_watch_timeout = std::chrono::seconds(60);
  Reflector r(client, o,
              [&](const ObjectMap& objects, bool) {
                last = objects;
                ++changes;
              });
  REQUIRE(r.list().ok());
  REQUIRE(r.watch_once().ok());
  CHECK(watch_url.find("watch=true&allowWatchBookmarks=true&resourceVersion=10&timeoutSeconds=") != std::string::npos);
  CHECK(changes == 4);  // the list and three events; the bookmark changes nothing
  CHECK(last.count("default/b") == 0);
  CHECK(last.at("default/a")["metadata"]["resourceVersion"] == "12");
  CHECK(last.count("default/c") == 1);
  CHECK(r.resource_version() == "20");
}

TEST_CASE("reflector: a 410 during the watch relists; a refused connection is retried") {
  std::atomic<int> lists{0}, watches{0};
  std::atomic<bool> refuse_next_list{true};
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) {
    if (r.url.find("watch=true") != std::string::npos) {
      ++watches;
      if (watches == 1)
        return json_response(200, R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})" "\n");
      return json_response(200, "");  // the server ends the watch: resume
    }
    if (refuse_next_list.exchange(false)) return http::HttpResponse{};  // connection refused
    ++lists;
    return json_response(200, R"({"metadata":{"resourceVersion":"1"},"items":[]})");
  });
  ApiClient client(api, config());
  std::atomic<int> relists{0};
  ReflectorOptions o;
  o.what = "pods", o.path = "/api/v1/pods", o.initial_backoff = std::chrono::milliseconds(5);
  Reflector r(client, o,
              [&](const ObjectMap&, bool relisted) { relists += relisted; });
  r.start();
  for (int i = 0; i < 400 && (lists < 2 || watches < 3); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  r.stop();
  CHECK(lists >= 2);  // the first list after the refusal, and the relist after the 410
  CHECK(watches >= 3);
  CHECK(relists == lists.load());
  CHECK(r.synced());
}

TEST_CASE("reflector: a refused list (403) is retried after forbidden_backoff, not the short back-off") {
  auto api = std::make_shared<ScriptedApi>([](const http::HttpRequest&) {
    return json_response(403, R"({"kind":"Status","reason":"Forbidden","message":"nodes is forbidden: User \"system:node:n1\" cannot list resource \"nodes\""})");
  });
  ApiClient client(api, config());
  ReflectorOptions o;
  o.what = "nodes", o.path = "/api/v1/nodes";
  o.initial_backoff = std::chrono::milliseconds(5);
  o.forbidden_backoff = std::chrono::milliseconds(60'000);
  std::vector<std::string> errors;
  Reflector r(client, o, [](const ObjectMap&, bool) {}, [&](const Error& e) { errors.push_back(e.message); });
  r.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  r.stop();
  CHECK(api->requests.size() == 1);  // with the 5 ms back-off it would have been dozens
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("cannot list resource") != std::string::npos);
}

TEST_CASE("reflector: metadata.managedFields are not kept, from the list or from the watch") {
  const std::string fields = R"("managedFields":[{"manager":"kubectl","operation":"Apply","fieldsV1":{"f:spec":{}}}])";
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) {
    if (r.url.find("watch=true") != std::string::npos)
      return json_response(200, R"({"type":"ADDED","object":{"metadata":{"namespace":"default","name":"b","resourceVersion":"11",)" +
                                    fields + "}}}\n");
    return json_response(200, R"({"metadata":{"resourceVersion":"10"},"items":[{"metadata":{"namespace":"default","name":"a",)"
                                  R"("resourceVersion":"3",)" + fields + "}}]}");
  });
  ApiClient client(api, config());
  ObjectMap last;
  ReflectorOptions o;
  o.what = "pods", o.path = "/api/v1/pods";
  Reflector r(client, o, [&](const ObjectMap& objects, bool) { last = objects; });
  REQUIRE(r.list().ok());
  CHECK(!last.at("default/a")["metadata"].contains("managedFields"));
  CHECK(last.at("default/a")["metadata"]["resourceVersion"] == "3");
  REQUIRE(r.watch_once().ok());
  CHECK(!last.at("default/b")["metadata"].contains("managedFields"));
}
