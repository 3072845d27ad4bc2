// projected_payload (see projected_payload.h).
#include "volumes/projected/projected_payload.h"

#include <fmt/format.h>

#include "volumes/payload/downward_payload.h"
#include "volumes/payload/object_payload.h"

namespace nodeagent::volumes {

namespace {

void merge(Payload& into, Payload from) {
  for (auto& [path, file] : from) into[path] = std::move(file);
}

// kubelet: the token file is 0600 when the pod sets a user or group for its files (it is then
// owned by that user), else the volume's defaultMode.
int32_t token_mode(const kube::Pod& pod, int32_t default_mode) {
  const auto& sc = pod.spec.security_context;
  if (sc && (sc->fs_group || sc->run_as_user)) return 0600;
  return default_mode;
}

}  // namespace

Result<Payload> projected_payload(const kube::Pod& pod, const kube::ProjectedVolumeSource& src,
                                           const kube::ObjectSource* objects, TokenSource* tokens,
                                           const PodVolumeContext& ctx) {
  Payload out;
  const auto& ns = pod.metadata.namespace_;
  for (const auto& s : src.sources) {
    if (s.config_map) {
      const bool optional = s.config_map->optional.value_or(false);
      NA_ASSIGN_OR_RETURN(auto cm, fetch_config_map(objects, ns, s.config_map->name, optional));
      NA_ASSIGN_OR_RETURN(auto p, config_map_payload(s.config_map->items, cm, src.default_mode, optional));
      merge(out, std::move(p));
    } else if (s.secret) {
      const bool optional = s.secret->optional.value_or(false);
      NA_ASSIGN_OR_RETURN(auto secret, fetch_secret(objects, ns, s.secret->name, optional));
      NA_ASSIGN_OR_RETURN(auto p, secret_payload(s.secret->items, secret, src.default_mode, optional));
      merge(out, std::move(p));
    } else if (s.downward_api) {
      NA_ASSIGN_OR_RETURN(auto p, downward_api_payload(s.downward_api->items, pod, src.default_mode, ctx.downward));
      merge(out, std::move(p));
    } else if (s.service_account_token) {
      if (!tokens) return unavailable("projected source serviceAccountToken needs a connection to the API server");
      auto token = tokens->token(pod, *s.service_account_token);
      if (!token.ok()) return token.error().wrap("projected source serviceAccountToken");
      out[s.service_account_token->path] = FileProjection{*token, token_mode(pod, src.default_mode)};
    } else if (!s.cluster_trust_bundle.empty()) {
      return invalid("projected source clusterTrustBundle is not supported by this agent");
    }
  }
  return out;
}

}  // namespace nodeagent::volumes
