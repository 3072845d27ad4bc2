#include "agent/nodeapi/reviews.h"

#include "kube/client/api_client.h"

namespace nodeagent::nodeapi {

Result<TokenReview> ApiReviews::review_token(const std::string& token) {
  nlohmann::json body = {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenReview"}, {"spec", {{"token", token}}}};
  NA_ASSIGN_OR_RETURN(auto resp, client_.create("/apis/authentication.k8s.io/v1/tokenreviews", body));
  TokenReview out;
  const auto status = resp.value("status", nlohmann::json::object());
  out.authenticated = status.value("authenticated", false);
  out.error = status.value("error", "");
  if (out.authenticated) {
    const auto u = status.value("user", nlohmann::json::object());
    out.user.name = u.value("username", "");
    out.user.uid = u.value("uid", "");
    out.user.groups = u.value("groups", std::vector<std::string>{});
    if (u.contains("extra") && u["extra"].is_object())
      for (const auto& [k, v] : u["extra"].items())
        if (v.is_array()) out.user.extra[k] = v.get<std::vector<std::string>>();
  }
  return out;
}

Result<bool> ApiReviews::review_access(const User& user, const AccessRequest& request) {
  nlohmann::json spec = {{"resourceAttributes",
                          {{"namespace", ""}, {"verb", request.verb}, {"group", ""}, {"version", "v1"},
                           {"resource", "nodes"}, {"subresource", request.subresource}, {"name", request.node_name}}},
                         {"user", user.name},
                         {"groups", user.groups}};
  if (!user.uid.empty()) spec["uid"] = user.uid;
  if (!user.extra.empty()) spec["extra"] = user.extra;
  nlohmann::json body = {{"apiVersion", "authorization.k8s.io/v1"}, {"kind", "SubjectAccessReview"}, {"spec", spec}};
  NA_ASSIGN_OR_RETURN(auto resp, client_.create("/apis/authorization.k8s.io/v1/subjectaccessreviews", body));
  return resp.value("status", nlohmann::json::object()).value("allowed", false);
}

}  // namespace nodeagent::nodeapi
