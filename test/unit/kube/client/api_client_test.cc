#include "kube/client/api_client.h"

#include <catch2/catch.hpp>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using namespace nodeagent::kube::client;
using Catch::Matchers::Contains;
using testing::json_response;
using testing::ScriptedApi;

namespace {

ClientConfig node_config() {
  ClientConfig c;
  c.source = "/etc/kubeconfig";
  c.server = "https://10.250.0.1:6443";
  c.ca_file = "/pki/ca.crt";
  c.client_cert_file = "/pki/n1.crt";
  c.client_key_file = "/pki/n1.key";
  c.user_name = "node";
  return c;
}

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return nlohmann::json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"code", code},
                        {"reason", reason}, {"message", message}}
      .dump();
}

}  // namespace

TEST_CASE("api client: requests carry the kubeconfig's TLS identity and JSON") {
  auto api = std::make_shared<ScriptedApi>([](const http::HttpRequest&) { return json_response(201, R"({"kind":"Node"})"); });
  ApiClient client(api, node_config());
  auto made = client.create("/api/v1/nodes", {{"kind", "Node"}});
  REQUIRE(made.ok());
  CHECK((*made)["kind"] == "Node");
  const auto& r = api->requests.at(0);
  CHECK(r.url == "https://10.250.0.1:6443/api/v1/nodes");
  CHECK(r.method == "POST");
  CHECK(r.content_type == "application/json");
  CHECK(r.tls.ca_file == "/pki/ca.crt");
  CHECK(r.tls.client_cert_file == "/pki/n1.crt");
  CHECK(r.tls.client_key_file == "/pki/n1.key");

  REQUIRE(client.patch("/api/v1/namespaces/d/pods/p/status", {{"status", {}}}, PatchType::kStrategicMerge).ok());
  CHECK(api->requests.at(1).content_type == "application/strategic-merge-patch+json");
}

TEST_CASE("api client: the API server's errors keep its words and map to codes") {
  long code = 403;
  std::string reason = "Forbidden";
  std::string message = "secrets is forbidden: User \"system:node:n1\" cannot list resource \"secrets\"";
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest&) { return json_response(code, status_body(static_cast<int>(code), reason, message)); });
  ApiClient client(api, node_config());

  auto r = client.get("/api/v1/secrets");
  REQUIRE(!r.ok());
  CHECK(r.error().code == ErrorCode::kPermissionDenied);
  CHECK(r.error().message == "GET /api/v1/secrets: " + message);

  code = 401, reason = "Unauthorized", message = "Unauthorized";
  r = client.get("/api/v1/nodes/n1");
  REQUIRE(!r.ok());
  CHECK(r.error().code == ErrorCode::kUnauthenticated);
  CHECK_THAT(r.error().message, Contains("refused the credentials of user \"node\" from kubeconfig /etc/kubeconfig"));

  code = 409, reason = "AlreadyExists", message = "nodes \"n1\" already exists";
  CHECK(client.create("/api/v1/nodes", {}).error().code == ErrorCode::kAlreadyExists);
  code = 409, reason = "Conflict", message = "the object has been modified";
  CHECK(client.replace("/api/v1/nodes/n1", {}).error().code == ErrorCode::kConflict);
  code = 404, reason = "NotFound", message = "pods \"x\" not found";
  CHECK(client.get("/api/v1/namespaces/d/pods/x").error().code == ErrorCode::kNotFound);
  code = 503, reason = "", message = "";
  CHECK(client.get("/api").error().code == ErrorCode::kUnavailable);
}

TEST_CASE("api client: a watch delivers each event, whatever the chunking, and ERROR events become errors") {
  std::string stream =
      R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})" "\n"
      R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}})" "\n"
      R"j({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (7)"}})j" "\n";
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) {
    CHECK(r.stream);
    CHECK(r.idle_timeout_seconds == 90);
    return json_response(200, stream);
  });
  ApiClient client(api, node_config());
  std::vector<std::string> seen;
  auto st = client.watch("/api/v1/pods?watch=true", std::chrono::seconds(90), nullptr, [&](const WatchEvent& e) {
    seen.push_back(e.type + ":" + e.object["metadata"].value("resourceVersion", ""));
    return ok_status();
  });
  CHECK(seen == std::vector<std::string>{"ADDED:5", "BOOKMARK:7"});
  REQUIRE(!st.ok());
  CHECK(st.error().code == ErrorCode::kGone);
  CHECK_THAT(st.error().message, Contains("too old resource version"));
}

TEST_CASE("api client: query values are percent-encoded") {
  CHECK(query_escape("spec.nodeName=n1") == "spec.nodeName%3Dn1");
  CHECK(query_escape("a b,c!=d") == "a%20b%2Cc%21%3Dd");
}
