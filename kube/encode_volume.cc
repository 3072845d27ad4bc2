// Encoder for Volume and its sources.
#include "kube/encode_parts.h"

namespace nodeagent::kube::detail {
namespace {

json encode_items(const std::vector<KeyToPath>& items) {
  json out = json::array();
  for (const auto& k : items) out.push_back(encode_key_to_path(k));
  return out;
}

json encode_downward_items(const std::vector<DownwardAPIVolumeFile>& items) {
  json out = json::array();
  for (const auto& f : items) {
    json x = {{"path", f.path}};
    if (f.field_ref) x["fieldRef"] = encode_object_field_selector(*f.field_ref);
    if (f.resource_field_ref) x["resourceFieldRef"] = encode_resource_field_selector(*f.resource_field_ref);
    put(x, "mode", f.mode);
    out.push_back(std::move(x));
  }
  return out;
}

json encode_projection(const VolumeProjection& p) {
  json o = json::object();
  if (p.config_map) {
    json x = json::object();
    put(x, "name", p.config_map->name);
    if (!p.config_map->items.empty()) x["items"] = encode_items(p.config_map->items);
    put(x, "optional", p.config_map->optional);
    o["configMap"] = std::move(x);
  }
  if (p.secret) {
    json x = json::object();
    put(x, "name", p.secret->name);
    if (!p.secret->items.empty()) x["items"] = encode_items(p.secret->items);
    put(x, "optional", p.secret->optional);
    o["secret"] = std::move(x);
  }
  if (p.downward_api) {
    json x = json::object();
    if (!p.downward_api->items.empty()) x["items"] = encode_downward_items(p.downward_api->items);
    o["downwardAPI"] = std::move(x);
  }
  if (p.service_account_token) {
    json x = {{"path", p.service_account_token->path}};
    put(x, "audience", p.service_account_token->audience);
    put(x, "expirationSeconds", p.service_account_token->expiration_seconds);
    o["serviceAccountToken"] = std::move(x);
  }
  put_raw(o, "clusterTrustBundle", p.cluster_trust_bundle);
  return o;
}

}  // namespace

json encode_volume(const Volume& v) {
  json o = {{"name", v.name}};
  if (v.empty_dir) {
    json x = json::object();
    put(x, "medium", v.empty_dir->medium);
    if (v.empty_dir->size_limit) x["sizeLimit"] = to_string(*v.empty_dir->size_limit);
    o["emptyDir"] = std::move(x);
  }
  if (v.host_path) o["hostPath"] = {{"path", v.host_path->path}, {"type", v.host_path->type}};
  if (v.config_map) {
    json x = {{"defaultMode", v.config_map->default_mode}};
    put(x, "name", v.config_map->name);
    if (!v.config_map->items.empty()) x["items"] = encode_items(v.config_map->items);
    put(x, "optional", v.config_map->optional);
    o["configMap"] = std::move(x);
  }
  if (v.secret) {
    json x = {{"defaultMode", v.secret->default_mode}};
    put(x, "secretName", v.secret->secret_name);
    if (!v.secret->items.empty()) x["items"] = encode_items(v.secret->items);
    put(x, "optional", v.secret->optional);
    o["secret"] = std::move(x);
  }
  if (v.downward_api) {
    json x = {{"defaultMode", v.downward_api->default_mode}};
    if (!v.downward_api->items.empty()) x["items"] = encode_downward_items(v.downward_api->items);
    o["downwardAPI"] = std::move(x);
  }
  if (v.projected) {
    json sources = json::array();
    for (const auto& p : v.projected->sources) sources.push_back(encode_projection(p));
    o["projected"] = {{"defaultMode", v.projected->default_mode}, {"sources", std::move(sources)}};
  }
  if (v.persistent_volume_claim) {
    json x = {{"claimName", v.persistent_volume_claim->claim_name}};
    put(x, "readOnly", v.persistent_volume_claim->read_only);
    o["persistentVolumeClaim"] = std::move(x);
  }
  if (v.unsupported) o[v.unsupported->type] = json::parse(v.unsupported->raw);
  return o;
}

}  // namespace nodeagent::kube::detail
