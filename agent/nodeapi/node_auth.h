// The node API's gate, as kubelet's auth filter (pkg/kubelet/server/server.go InstallAuthFilter):
//   1. authenticate: a client certificate verified against --client-ca-file (user = CN,
//      groups = O), else a bearer token through TokenReview (cached 2 min), else — only with
//      --anonymous-auth — system:anonymous; otherwise 401 "Unauthorized".
//   2. authorize: one SubjectAccessReview per subresource of the request (auth_attributes.h),
//      the first allowed wins (cached 5 min allowed, 30 s denied); otherwise 403 with kubelet's
//      "Forbidden (user=..., verb=..., resource=nodes, subresource(s)=[...])".
// Standalone (no Reviews): client certificates only, and every authenticated user is allowed.
#pragma once

#include <chrono>
#include <string>

#include "agent/nodeapi/http_server.h"
#include "agent/nodeapi/reviews.h"
#include "agent/nodeapi/ttl_cache.h"

namespace nodeagent::nodeapi {

struct NodeAuthOptions {
  std::string node_name;
  bool anonymous = false;
  std::chrono::milliseconds token_ttl{std::chrono::minutes(2)};
  std::chrono::milliseconds allowed_ttl{std::chrono::minutes(5)};
  std::chrono::milliseconds denied_ttl{std::chrono::seconds(30)};
  TtlCache<int>::Now now = [] { return std::chrono::steady_clock::now(); };
};

class NodeAuth {
 public:
  NodeAuth(NodeAuthOptions options, Reviews* reviews);
  GateResult check(const HttpRequest& request, const PeerCertificate& peer);
  Gate gate() {
    return [this](const HttpRequest& r, const PeerCertificate& p) { return check(r, p); };
  }

 private:
  std::optional<User> authenticate(const HttpRequest& request, const PeerCertificate& peer);

  NodeAuthOptions options_;
  Reviews* reviews_;
  TtlCache<TokenReview> tokens_;
  TtlCache<bool> decisions_;
};

}  // namespace nodeagent::nodeapi
