// The API server's delegated authentication and authorization, as the node API asks them
// (kubelet's webhook modes): TokenReview for bearer tokens, SubjectAccessReview for every
// request. An interface so the gate's logic and caches are unit-tested with a fake.
#pragma once

#include <string>

#include "agent/nodeapi/http_types.h"
#include "util/result.h"

namespace nodeagent::kube::client {
class ApiClient;
}

namespace nodeagent::nodeapi {

struct TokenReview {
  bool authenticated = false;
  User user;
  std::string error;  // status.error, when not authenticated
};

struct AccessRequest {
  std::string verb, subresource, node_name;  // resource is always "nodes"
};

class Reviews {
 public:
  virtual ~Reviews() = default;
  virtual Result<TokenReview> review_token(const std::string& token) = 0;
  // Allowed or not; an error when the API server could not decide (500 to the client).
  virtual Result<bool> review_access(const User& user, const AccessRequest& request) = 0;
};

// Over the agent's API client (POST tokenreviews / subjectaccessreviews).
class ApiReviews final : public Reviews {
 public:
  explicit ApiReviews(kube::client::ApiClient& client) : client_(client) {}
  Result<TokenReview> review_token(const std::string& token) override;
  Result<bool> review_access(const User& user, const AccessRequest& request) override;

 private:
  kube::client::ApiClient& client_;
};

}  // namespace nodeagent::nodeapi
