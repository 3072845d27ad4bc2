// The identity the API server sees (see who_am_i.h).
#include "agent/cluster/who_am_i.h"

namespace nodeagent::cluster {

Result<std::string> who_am_i(kube::client::ApiClient& client) {
  const nlohmann::json review = {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}};
  NA_ASSIGN_OR_RETURN(auto answer, client.create("/apis/authentication.k8s.io/v1/selfsubjectreviews", review));
  const auto info = answer.value("status", nlohmann::json::object()).value("userInfo", nlohmann::json::object());
  std::string who = "User \"" + info.value("username", "") + "\"";
  if (info.contains("groups") && info["groups"].is_array() && !info["groups"].empty()) {
    std::string groups;
    for (const auto& g : info["groups"])
      if (g.is_string()) groups += (groups.empty() ? "" : ", ") + g.get<std::string>();
    who += " (groups " + groups + ")";
  }
  return who;
}

Error with_identity(kube::client::ApiClient& client, const Error& e, const std::string& what) {
  if (e.code != ErrorCode::kUnauthenticated && e.code != ErrorCode::kPermissionDenied) return e.wrap(what);
  const auto config = client.config();
  std::string who;
  if (e.code == ErrorCode::kPermissionDenied) {
    // Authenticated, so the API server can say as whom; the message already has its reason.
    auto seen = who_am_i(client);
    if (seen.ok()) who = *seen + "; ";
  }
  who += "kubeconfig " + config.source;
  if (!config.user_name.empty()) who += ", user entry \"" + config.user_name + "\"";
  return e.wrap(what + " (as " + who + ")");
}

}  // namespace nodeagent::cluster
