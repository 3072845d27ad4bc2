// Service-account tokens for projected serviceAccountToken volumes, over the TokenRequest API
// (kubelet's token manager, pkg/kubelet/token/token_manager.go):
//   POST /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token
//   {spec: {audiences, expirationSeconds, boundObjectRef: {kind: Pod, apiVersion: v1, name, uid}}}
// The Node authorizer allows it only for the service account of a pod bound to this node, and
// the token is bound to that pod: it stops working when the pod is deleted.
//
// Tokens are cached per (pod UID, service account, audiences, expirationSeconds). A cached token
// is fetched again once it is older than 80% of its lifetime or older than 24 hours (kubelet
// adds up to 10 s of jitter; this does not, so tests are exact). When a refresh fails, the
// cached token is used while it has not expired, as kubelet does. forget_pod() drops a deleted
// pod's tokens; expired tokens are dropped as other tokens are requested.
//
// Errors name the pod and the service account:
//   failed to fetch token for service account default/default of pod default/web: serviceaccounts
//   "default" is forbidden: User "system:node:n1" cannot create resource "serviceaccounts/token" ...
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "agent/cluster/cluster_context.h"
#include "volumes/plugin/token_source.h"

namespace nodeagent::cluster {

class TokenRequester final : public volumes::TokenSource {
 public:
  explicit TokenRequester(const ClusterContext& ctx) : client_(*ctx.client), clock_(*ctx.clock) {}

  [[nodiscard]] Result<std::string> token(const kube::Pod& pod,
                                          const kube::ServiceAccountTokenProjection& projection) override;
  // The pod is gone: its tokens are never asked for again.
  void forget_pod(const std::string& pod_uid);
  size_t cached() const;  // tokens held, for tests

 private:
  // pod UID, namespace, service account, audience, expirationSeconds
  using Key = std::tuple<std::string, std::string, std::string, std::string, int64_t>;
  struct Cached {
    std::string token;
    Clock::TimePoint issued;   // when this node received it
    std::chrono::seconds ttl;  // the lifetime the API server granted
  };
  bool needs_refresh(const Cached& c, Clock::TimePoint now) const;
  static bool expired(const Cached& c, Clock::TimePoint now) { return now >= c.issued + c.ttl; }

  kube::client::ApiClient& client_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<Key, Cached> tokens_;
};

}  // namespace nodeagent::cluster
