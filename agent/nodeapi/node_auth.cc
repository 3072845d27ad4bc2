#include "agent/nodeapi/node_auth.h"

#include "agent/nodeapi/auth_attributes.h"
#include "util/log.h"
#include "util/sha256.h"

namespace nodeagent::nodeapi {

namespace {

GateResult refuse(int status, std::string body) {
  GateResult g;
  g.refusal = text_response(status, std::move(body));
  return g;
}

std::string decision_key(const User& u, const AccessRequest& a) {
  std::string key = u.name + "\n" + u.uid + "\n" + a.verb + "\n" + a.subresource + "\n";
  for (const auto& g : u.groups) key += g + ",";
  for (const auto& [k, vs] : u.extra) {
    key += "\n" + k + "=";
    for (const auto& v : vs) key += v + ",";
  }
  return key;
}

}  // namespace

namespace {
NodeAuthOptions with_clock(NodeAuthOptions o) {
  if (!o.now) o.now = [] { return std::chrono::steady_clock::now(); };
  return o;
}
}  // namespace

NodeAuth::NodeAuth(NodeAuthOptions options, Reviews* reviews)
    : options_(with_clock(std::move(options))), reviews_(reviews), tokens_(4096, options_.now), decisions_(4096, options_.now) {}

std::optional<User> NodeAuth::authenticate(const HttpRequest& request, const PeerCertificate& peer) {
  if (peer.presented && peer.verified && !peer.common_name.empty()) {
    User u;
    u.name = peer.common_name;
    u.groups = peer.organizations;
    u.groups.push_back("system:authenticated");
    return u;
  }
  const std::string auth = request.header("authorization");
  if (auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) {
    if (!reviews_) return std::nullopt;
    const std::string token = auth.substr(7);
    const std::string key = sha256_hex(token);  // the token itself is never kept
    auto review = tokens_.get(key);
    if (!review) {
      auto fresh = reviews_->review_token(token);
      if (!fresh.ok()) {
        log::get("nodeapi")->warn("TokenReview failed: {}", fresh.error().message);
        return std::nullopt;  // not cached: the API server may answer next time
      }
      review = *fresh;
      tokens_.put(key, *review, options_.token_ttl);
    }
    if (!review->authenticated) return std::nullopt;
    User u = review->user;
    return u;
  }
  if (!auth.empty() || peer.presented) return std::nullopt;  // credentials that did not work
  if (!options_.anonymous || !reviews_) return std::nullopt;  // standalone: certificates only
  User anon;
  anon.name = "system:anonymous";
  anon.groups = {"system:unauthenticated"};
  return anon;
}

GateResult NodeAuth::check(const HttpRequest& request, const PeerCertificate& peer) {
  auto user = authenticate(request, peer);
  if (!user) return refuse(401, "Unauthorized");
  GateResult pass;
  if (!reviews_) {  // standalone: authenticated is enough (kubelet's AlwaysAllow)
    pass.user = std::move(user);
    return pass;
  }
  const auto attrs = node_request_attributes(request.method, request.path);
  for (const auto& sub : attrs.subresources) {
    AccessRequest a{attrs.verb, sub, options_.node_name};
    const std::string key = decision_key(*user, a);
    auto cached = decisions_.get(key);
    bool allowed;
    if (cached) {
      allowed = *cached;
    } else {
      auto decided = reviews_->review_access(*user, a);
      if (!decided.ok()) {
        log::get("nodeapi")->warn("SubjectAccessReview user={} verb={} subresource={}: {}", user->name, a.verb, sub,
                                  decided.error().message);
        return refuse(500, "Authorization error (user=" + user->name + ", verb=" + a.verb +
                               ", resource=nodes, subresource=" + sub + ")");
      }
      allowed = *decided;
      decisions_.put(key, allowed, allowed ? options_.allowed_ttl : options_.denied_ttl);
    }
    if (allowed) {
      pass.user = std::move(user);
      return pass;
    }
  }
  log::get("nodeapi")->info("Forbidden user={} verb={} path={}", user->name, attrs.verb, request.path);
  return refuse(403, forbidden_message(user->name, attrs));
}

}  // namespace nodeagent::nodeapi
