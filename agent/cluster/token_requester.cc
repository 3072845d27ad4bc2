// TokenRequest with kubelet's cache and refresh rules (see token_requester.h).
#include "agent/cluster/token_requester.h"

#include "util/log.h"

namespace nodeagent::cluster {
namespace {

constexpr std::chrono::hours kMaxTtl{24};

std::string service_account_of(const kube::Pod& pod) {
  if (!pod.spec.service_account_name.empty()) return pod.spec.service_account_name;
  if (!pod.spec.service_account.empty()) return pod.spec.service_account;
  return "default";
}

nlohmann::json token_request(const kube::Pod& pod, const kube::ServiceAccountTokenProjection& projection) {
  nlohmann::json spec = {
      {"audiences", nlohmann::json::array()},
      {"expirationSeconds", projection.expiration_seconds},
      {"boundObjectRef", {{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", pod.metadata.name}, {"uid", pod.metadata.uid}}},
  };
  // No audience: the API server's own (its --api-audiences), as kubelet leaves it empty too.
  if (!projection.audience.empty()) spec["audiences"].push_back(projection.audience);
  return {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", spec}};
}

}  // namespace

bool TokenRequester::needs_refresh(const Cached& c, Clock::TimePoint now) const {
  if (now - c.issued >= kMaxTtl) return true;
  return now - c.issued >= c.ttl * 8 / 10;
}

Result<std::string> TokenRequester::token(const kube::Pod& pod, const kube::ServiceAccountTokenProjection& projection) {
  const std::string& ns = pod.metadata.namespace_;
  const std::string sa = service_account_of(pod);
  const Key key{pod.metadata.uid, ns, sa, projection.audience, projection.expiration_seconds};
  const auto now = clock_.now();
  std::optional<Cached> cached;
  {
    std::lock_guard lock(mu_);
    for (auto it = tokens_.begin(); it != tokens_.end();) it = expired(it->second, now) ? tokens_.erase(it) : std::next(it);
    if (auto it = tokens_.find(key); it != tokens_.end()) {
      if (!needs_refresh(it->second, now)) return it->second.token;
      cached = it->second;
    }
  }

  const std::string what = "service account " + ns + "/" + sa + " of pod " + ns + "/" + pod.metadata.name;
  auto answer = client_.create(namespaced_path(ns, "serviceaccounts", sa, "token"), token_request(pod, projection));
  std::string token;
  int64_t seconds = projection.expiration_seconds;
  if (answer.ok()) {
    const auto& status = answer->value("status", nlohmann::json::object());
    token = status.value("token", "");
    seconds = answer->value("spec", nlohmann::json::object()).value("expirationSeconds", seconds);
  }
  if (token.empty()) {
    std::string why = answer.ok() ? "the API server's answer has no status.token" : answer.error().message;
    if (cached) {  // still valid (expired ones were dropped above): use it until it is not
      log::get("cluster")->warn("couldn't refresh the token for {}: {}", what, why);
      return cached->token;
    }
    return Error{answer.ok() ? ErrorCode::kInternal : answer.error().code, "failed to fetch token for " + what + ": " + why};
  }
  std::lock_guard lock(mu_);
  tokens_[key] = Cached{token, now, std::chrono::seconds(seconds)};
  return token;
}

void TokenRequester::forget_pod(const std::string& pod_uid) {
  std::lock_guard lock(mu_);
  for (auto it = tokens_.begin(); it != tokens_.end();)
    it = std::get<0>(it->first) == pod_uid ? tokens_.erase(it) : std::next(it);
}

size_t TokenRequester::cached() const {
  std::lock_guard lock(mu_);
  return tokens_.size();
}

}  // namespace nodeagent::cluster
