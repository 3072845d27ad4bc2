// TokenRequester: the TokenRequest body, kubelet's cache key and refresh rules (80% of the
// lifetime, 24 h), the cached token on a failed refresh, forget_pod, error messages.
#include "agent/cluster/token_requester.h"

#include <catch2/catch.hpp>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using nlohmann::json;
using kube::client::testing::json_response;
using std::chrono::seconds;

namespace {

struct Fixture {
  std::mutex mu;
  std::vector<http::HttpRequest> requests;
  long fail_with = 0;
  int64_t granted = 0;  // 0 = as requested
  int issued = 0;
  ManualClock clock;
  kube::client::ApiClient client;
  cluster::TokenRequester tokens;

  Fixture()
      : client(std::make_shared<kube::client::testing::ScriptedApi>([this](const http::HttpRequest& r) { return serve(r); }),
               [] {
                 kube::client::ClientConfig c;
                 c.server = "https://api:6443";
                 return c;
               }()),
        tokens(cluster::ClusterContext{&client, "n1", &clock}) {}

  http::HttpResponse serve(const http::HttpRequest& r) {
    std::lock_guard lock(mu);
    requests.push_back(r);
    if (fail_with)
      return json_response(fail_with, json{{"kind", "Status"}, {"code", fail_with}, {"reason", "Forbidden"},
                                           {"message", "serviceaccounts \"robot\" is forbidden: User \"system:node:n1\" cannot "
                                                       "create resource \"serviceaccounts/token\""}}
                                          .dump());
    auto body = json::parse(r.body);
    auto answer = body;
    if (granted) answer["spec"]["expirationSeconds"] = granted;
    answer["status"] = {{"token", "jwt-" + std::to_string(++issued)}, {"expirationTimestamp", "2030-01-01T00:00:00Z"}};
    return json_response(201, answer.dump());
  }
};

kube::Pod pod(const std::string& uid = "uid-1", const std::string& sa = "robot") {
  kube::Pod p;
  p.metadata.namespace_ = "apps";
  p.metadata.name = "web";
  p.metadata.uid = uid;
  p.spec.service_account_name = sa;
  return p;
}

kube::ServiceAccountTokenProjection projection(const std::string& audience = "vault", int64_t seconds = 3600) {
  kube::ServiceAccountTokenProjection p;
  p.audience = audience;
  p.expiration_seconds = seconds;
  p.path = "token";
  return p;
}

}  // namespace

TEST_CASE("tokens: a TokenRequest bound to the pod, for its service account, audience and lifetime") {
  Fixture f;
  auto t = f.tokens.token(pod(), projection());
  REQUIRE(t.ok());
  CHECK(*t == "jwt-1");
  REQUIRE(f.requests.size() == 1);
  const auto& r = f.requests[0];
  CHECK(r.method == "POST");
  CHECK(r.url == "https://api:6443/api/v1/namespaces/apps/serviceaccounts/robot/token");
  auto body = json::parse(r.body);
  CHECK(body["apiVersion"] == "authentication.k8s.io/v1");
  CHECK(body["kind"] == "TokenRequest");
  CHECK(body["spec"]["audiences"] == json{"vault"});
  CHECK(body["spec"]["expirationSeconds"] == 3600);
  CHECK(body["spec"]["boundObjectRef"] == json{{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", "web"}, {"uid", "uid-1"}});

  // No service account named: "default"; no audience: the API server's (an empty list).
  kube::Pod plain = pod("uid-2", "");
  REQUIRE(f.tokens.token(plain, projection("")).ok());
  CHECK(f.requests[1].url == "https://api:6443/api/v1/namespaces/apps/serviceaccounts/default/token");
  CHECK(json::parse(f.requests[1].body)["spec"]["audiences"] == json::array());
}

TEST_CASE("tokens: cached until 80% of the lifetime, then requested again") {
  Fixture f;
  REQUIRE(f.tokens.token(pod(), projection()).ok());
  f.clock.advance(seconds(2879));  // 3600 * 0.8 = 2880
  CHECK(*f.tokens.token(pod(), projection()) == "jwt-1");
  CHECK(f.requests.size() == 1);
  f.clock.advance(seconds(1));
  CHECK(*f.tokens.token(pod(), projection()) == "jwt-2");
  CHECK(f.requests.size() == 2);
  // The new token's lifetime counts from its own issue.
  f.clock.advance(seconds(2879));
  CHECK(*f.tokens.token(pod(), projection()) == "jwt-2");
}

TEST_CASE("tokens: the lifetime the API server granted counts, and no token is older than 24 h") {
  Fixture f;
  f.granted = 1000;  // e.g. capped by --service-account-max-token-expiration
  REQUIRE(f.tokens.token(pod(), projection()).ok());
  f.clock.advance(seconds(800));
  CHECK(*f.tokens.token(pod(), projection()) == "jwt-2");

  Fixture week;
  REQUIRE(week.tokens.token(pod(), projection("vault", 7 * 24 * 3600)).ok());
  week.clock.advance(std::chrono::hours(23));
  CHECK(*week.tokens.token(pod(), projection("vault", 7 * 24 * 3600)) == "jwt-1");
  week.clock.advance(std::chrono::hours(1));
  CHECK(*week.tokens.token(pod(), projection("vault", 7 * 24 * 3600)) == "jwt-2");
}

TEST_CASE("tokens: one per pod, audience and lifetime; forget_pod drops a pod's") {
  Fixture f;
  REQUIRE(f.tokens.token(pod(), projection("a")).ok());
  REQUIRE(f.tokens.token(pod(), projection("b")).ok());
  REQUIRE(f.tokens.token(pod(), projection("a", 7200)).ok());
  REQUIRE(f.tokens.token(pod("uid-2"), projection("a")).ok());
  CHECK(f.tokens.cached() == 4);
  CHECK(*f.tokens.token(pod(), projection("b")) == "jwt-2");
  f.tokens.forget_pod("uid-1");
  CHECK(f.tokens.cached() == 1);
  CHECK(*f.tokens.token(pod(), projection("b")) == "jwt-5");
}

TEST_CASE("tokens: a failed refresh keeps the valid token; without one the error names pod and account") {
  Fixture f;
  REQUIRE(f.tokens.token(pod(), projection()).ok());
  f.fail_with = 403;
  f.clock.advance(seconds(3000));
  auto kept = f.tokens.token(pod(), projection());
  REQUIRE(kept.ok());
  CHECK(*kept == "jwt-1");
  f.clock.advance(seconds(600));  // expired now
  auto failed = f.tokens.token(pod(), projection());
  REQUIRE(!failed.ok());
  CHECK(failed.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(failed.error().message,
             Catch::Matchers::StartsWith("failed to fetch token for service account apps/robot of pod apps/web: "));
  CHECK_THAT(failed.error().message, Catch::Matchers::Contains("User \"system:node:n1\" cannot create resource"));
  CHECK(f.tokens.cached() == 0);  // the expired one was dropped
}
