#include <catch2/catch.hpp>

#include <map>

#include "agent/nodeapi/node_auth.h"
#include "agent/nodeapi/request_parse.h"

using namespace nodeagent;
using namespace nodeagent::nodeapi;

namespace {

struct FakeReviews : Reviews {
  std::map<std::string, TokenReview> tokens;
  std::map<std::string, bool> allowed;  // "user/verb/subresource"
  int token_calls = 0, access_calls = 0;
  bool fail = false;
  std::vector<AccessRequest> asked;
  Result<TokenReview> review_token(const std::string& token) override {
    ++token_calls;
    if (fail) return unavailable("api server down");
    auto it = tokens.find(token);
    return it == tokens.end() ? TokenReview{} : it->second;
  }
  Result<bool> review_access(const User& user, const AccessRequest& r) override {
    ++access_calls;
    asked.push_back(r);
    if (fail) return unavailable("api server down");
    return allowed[user.name + "/" + r.verb + "/" + r.subresource];
  }
};

HttpRequest get(const std::string& target, const std::string& bearer = "") {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return make_request("GET", target, headers, "", "127.0.0.1:1");
}

PeerCertificate cert(const std::string& cn, std::vector<std::string> orgs, bool verified = true) {
  PeerCertificate p;
  p.presented = true;
  p.verified = verified;
  p.common_name = cn;
  p.organizations = std::move(orgs);
  return p;
}

struct Clock {
  std::chrono::steady_clock::time_point t{std::chrono::seconds(1000)};
};

}  // namespace

TEST_CASE("client certificates: CN is the user, O the groups; an unverified one is 401") {
  FakeReviews reviews;
  reviews.allowed["kube-apiserver-kubelet-client/get/proxy"] = true;
  NodeAuth auth({"node1", false, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30), nullptr}, &reviews);
  auto ok = auth.check(get("/containerLogs/ns/p/c"), cert("kube-apiserver-kubelet-client", {"grp"}));
  REQUIRE(ok.user);
  CHECK(ok.user->name == "kube-apiserver-kubelet-client");
  CHECK(ok.user->groups == std::vector<std::string>{"grp", "system:authenticated"});
  REQUIRE(reviews.asked.size() == 1);
  CHECK(reviews.asked[0].node_name == "node1");
  CHECK(reviews.asked[0].subresource == "proxy");

  auto bad = auth.check(get("/pods"), cert("mallory", {}, false));
  CHECK_FALSE(bad.user);
  CHECK(bad.refusal.status == 401);
  CHECK(bad.refusal.body == "Unauthorized");
}

TEST_CASE("anonymous requests are 401 unless --anonymous-auth; then authorized as system:anonymous") {
  FakeReviews reviews;
  NodeAuth off({"n", false, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30), nullptr}, &reviews);
  auto r = off.check(get("/healthz"), {});
  CHECK(r.refusal.status == 401);
  CHECK(reviews.access_calls == 0);

  NodeAuth on({"n", true, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30), nullptr}, &reviews);
  auto denied = on.check(get("/healthz"), {});
  CHECK(denied.refusal.status == 403);
  CHECK(denied.refusal.body == "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource(s)=[healthz proxy])\n");
  reviews.allowed["system:anonymous/get/proxy"] = true;  // the second subresource suffices
  NodeAuth on2({"n", true, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30), nullptr}, &reviews);
  CHECK(on2.check(get("/healthz"), {}).user);
}

TEST_CASE("tokens go through TokenReview, cached for 2 minutes (also refusals)") {
  FakeReviews reviews;
  TokenReview alice;
  alice.authenticated = true;
  alice.user.name = "alice";
  alice.user.groups = {"system:authenticated"};
  reviews.tokens["t-alice"] = alice;
  reviews.allowed["alice/get/stats"] = true;
  Clock clock;
  NodeAuthOptions o{"n", false, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30),
                    [&clock] { return clock.t; }};
  NodeAuth auth(o, &reviews);
  CHECK(auth.check(get("/stats/summary", "t-alice"), {}).user->name == "alice");
  CHECK(auth.check(get("/stats/summary", "t-alice"), {}).user);
  CHECK(reviews.token_calls == 1);
  CHECK(auth.check(get("/stats/summary", "bogus"), {}).refusal.status == 401);
  CHECK(auth.check(get("/stats/summary", "bogus"), {}).refusal.status == 401);
  CHECK(reviews.token_calls == 2);
  clock.t += std::chrono::minutes(2);
  CHECK(auth.check(get("/stats/summary", "t-alice"), {}).user);
  CHECK(reviews.token_calls == 3);
}

TEST_CASE("decisions are cached 5 minutes when allowed and 30 seconds when denied") {
  FakeReviews reviews;
  reviews.allowed["bob/get/metrics"] = true;
  Clock clock;
  NodeAuthOptions o{"n", false, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30),
                    [&clock] { return clock.t; }};
  NodeAuth auth(o, &reviews);
  auto bob = cert("bob", {});
  CHECK(auth.check(get("/metrics"), bob).user);
  CHECK(auth.check(get("/metrics/resource"), bob).user);  // same attributes: cached
  CHECK(reviews.access_calls == 1);
  CHECK(auth.check(get("/stats/summary"), bob).refusal.status == 403);
  CHECK(reviews.access_calls == 2);
  reviews.allowed["bob/get/stats"] = true;  // RBAC changed: seen after the 30 s denial expires
  clock.t += std::chrono::seconds(29);
  CHECK(auth.check(get("/stats/summary"), bob).refusal.status == 403);
  clock.t += std::chrono::seconds(1);
  CHECK(auth.check(get("/stats/summary"), bob).user);
  reviews.allowed["bob/get/metrics"] = false;  // revoked: seen after 5 minutes
  clock.t += std::chrono::minutes(4);
  CHECK(auth.check(get("/metrics"), bob).user);
  clock.t += std::chrono::minutes(1);
  CHECK(auth.check(get("/metrics"), bob).refusal.status == 403);
}

TEST_CASE("an API server that cannot decide gives kubelet's 500, not cached") {
  FakeReviews reviews;
  reviews.fail = true;
  NodeAuth auth({"n", false, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30), nullptr}, &reviews);
  auto r = auth.check(get("/pods"), cert("bob", {}));
  CHECK(r.refusal.status == 500);
  CHECK(r.refusal.body == "Authorization error (user=bob, verb=get, resource=nodes, subresource=pods)");
  reviews.fail = false;
  reviews.allowed["bob/get/pods"] = true;
  CHECK(auth.check(get("/pods"), cert("bob", {})).user);
}

TEST_CASE("standalone: client certificates only, every verified one allowed") {
  NodeAuth auth({"n", true, std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::seconds(30), nullptr}, nullptr);
  CHECK(auth.check(get("/pods"), cert("admin", {})).user);
  CHECK(auth.check(get("/pods", "some-token"), {}).refusal.status == 401);
  CHECK(auth.check(get("/pods"), {}).refusal.status == 401);  // even with --anonymous-auth
}
