// configMap and secret payloads (see object_payload.h).
#include "volumes/payload/object_payload.h"

#include "volumes/atomic/payload_path.h"

namespace nodeagent::volumes {

namespace {

// One lookup over the maps a kind keeps its keys in (data, then binaryData for ConfigMaps).
template <typename Lookup>
Result<Payload> make_payload(const std::vector<kube::KeyToPath>& items, const std::vector<const kube::StringMap*>& all,
                             int32_t default_mode, bool optional, Lookup lookup, const std::string& missing_key_prefix) {
  Payload payload;
  if (items.empty()) {
    for (const auto* m : all)
      for (const auto& [key, data] : *m) payload[key] = FileProjection{data, default_mode};
    return payload;
  }
  for (const auto& item : items) {
    const std::string* data = lookup(item.key);
    if (!data) {
      if (optional) continue;
      return invalid(missing_key_prefix + item.key);
    }
    payload[clean_payload_path(item.path)] = FileProjection{*data, item.mode.value_or(default_mode)};
  }
  return payload;
}

const std::string* find(const kube::StringMap& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

bool no_objects(const kube::ObjectSource* objects) { return objects == nullptr; }

}  // namespace

Result<Payload> config_map_payload(const std::vector<kube::KeyToPath>& items, const kube::ConfigMap& cm,
                                   int32_t default_mode, bool optional) {
  auto lookup = [&](const std::string& key) -> const std::string* {
    if (const auto* d = find(cm.data, key)) return d;
    return find(cm.binary_data, key);
  };
  return make_payload(items, {&cm.data, &cm.binary_data}, default_mode, optional, lookup,
                      "configmap references non-existent config key: ");
}

Result<Payload> secret_payload(const std::vector<kube::KeyToPath>& items, const kube::Secret& secret,
                               int32_t default_mode, bool optional) {
  auto lookup = [&](const std::string& key) { return find(secret.data, key); };
  return make_payload(items, {&secret.data}, default_mode, optional, lookup, "references non-existent secret key: ");
}

Result<kube::ConfigMap> fetch_config_map(const kube::ObjectSource* objects, const std::string& ns,
                                         const std::string& name, bool optional) {
  if (no_objects(objects)) return unavailable("configmap \"" + name + "\": no object source on this node");
  auto cm = objects->get_config_map(ns, name);
  if (cm.ok() || !(optional && cm.error().code == ErrorCode::kNotFound)) return cm;
  kube::ConfigMap empty;
  empty.metadata.namespace_ = ns;
  empty.metadata.name = name;
  return empty;
}

Result<kube::Secret> fetch_secret(const kube::ObjectSource* objects, const std::string& ns, const std::string& name,
                                  bool optional) {
  if (no_objects(objects)) return unavailable("secret \"" + name + "\": no object source on this node");
  auto secret = objects->get_secret(ns, name);
  if (secret.ok() || !(optional && secret.error().code == ErrorCode::kNotFound)) return secret;
  kube::Secret empty;
  empty.metadata.namespace_ = ns;
  empty.metadata.name = name;
  return empty;
}

}  // namespace nodeagent::volumes
