// Who the API server takes this client for: a SelfSubjectReview (authentication.k8s.io/v1,
// which every authenticated identity may create), so that a refusal can name the identity the
// API server saw, not just the kubeconfig it came from:
//   User "system:node:n2" (groups system:nodes, system:authenticated)
#pragma once

#include <string>

#include "kube/client/api_client.h"
#include "util/result.h"

namespace nodeagent::cluster {

Result<std::string> who_am_i(kube::client::ApiClient& client);

// `e` with the identity added when it is a 401 or 403: "<what> (as <who>; kubeconfig <path>): ...".
// Other errors get "<what>: " only.
Error with_identity(kube::client::ApiClient& client, const Error& e, const std::string& what);

}  // namespace nodeagent::cluster
