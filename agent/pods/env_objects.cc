// Env from ConfigMaps and Secrets with kubelet's messages and optional rules.
#include "agent/pods/env_objects.h"

#include <algorithm>

#include <fmt/format.h>

#include "kube/names.h"

namespace nodeagent::pods {

namespace {

// What a missing object does: nothing when optional, else the store's NotFound error.
template <typename T>
Result<std::optional<T>> optional_object(Result<T> got, bool optional) {
  if (got.ok()) return std::optional<T>(std::move(got).value());
  if (optional && got.error().code == ErrorCode::kNotFound) return std::optional<T>();
  return got.error();
}

// The valid variables of `data` under `prefix`, and the invalid names, both sorted.
template <typename Map>
EnvFromResult prefixed_vars(const Map& data, const std::string& prefix, const std::string& what) {
  EnvFromResult out;
  std::vector<std::string> invalid;
  for (const auto& [key, value] : data) {
    auto name = prefix + key;
    if (!kube::is_env_var_name(name).empty()) {
      invalid.push_back(name);
      continue;
    }
    out.vars.emplace_back(std::move(name), value);
  }
  std::sort(out.vars.begin(), out.vars.end());
  if (!invalid.empty()) {
    std::sort(invalid.begin(), invalid.end());
    out.skipped_event = fmt::format(
        "Keys [{}] from the EnvFrom {} were skipped since they are considered invalid environment variable names.",
        fmt::join(invalid, ", "), what);
  }
  return out;
}

}  // namespace

Result<std::optional<EnvFromResult>> env_from_source(const kube::ObjectSource& objects, const std::string& ns,
                                                     const kube::EnvFromSource& source) {
  if (source.config_map_ref) {
    const auto& ref = *source.config_map_ref;
    NA_ASSIGN_OR_RETURN(auto cm, optional_object(objects.get_config_map(ns, ref.name), ref.optional.value_or(false)));
    if (!cm) return std::optional<EnvFromResult>();
    return std::optional(prefixed_vars(cm->data, source.prefix, fmt::format("configMap {}/{}", ns, ref.name)));
  }
  if (source.secret_ref) {
    const auto& ref = *source.secret_ref;
    NA_ASSIGN_OR_RETURN(auto secret, optional_object(objects.get_secret(ns, ref.name), ref.optional.value_or(false)));
    if (!secret) return std::optional<EnvFromResult>();
    return std::optional(prefixed_vars(secret->data, source.prefix, fmt::format("secret {}/{}", ns, ref.name)));
  }
  return std::optional<EnvFromResult>();
}

Result<std::optional<std::string>> config_map_key_value(const kube::ObjectSource& objects, const std::string& ns,
                                                        const kube::ConfigMapKeySelector& ref) {
  const bool optional = ref.optional.value_or(false);
  NA_ASSIGN_OR_RETURN(auto cm, optional_object(objects.get_config_map(ns, ref.name), optional));
  if (!cm) return std::optional<std::string>();
  auto it = cm->data.find(ref.key);
  if (it != cm->data.end()) return std::optional(it->second);
  if (optional) return std::optional<std::string>();
  return invalid(fmt::format("couldn't find key {} in ConfigMap {}/{}", ref.key, ns, ref.name));
}

Result<std::optional<std::string>> secret_key_value(const kube::ObjectSource& objects, const std::string& ns,
                                                    const kube::SecretKeySelector& ref) {
  const bool optional = ref.optional.value_or(false);
  NA_ASSIGN_OR_RETURN(auto secret, optional_object(objects.get_secret(ns, ref.name), optional));
  if (!secret) return std::optional<std::string>();
  auto it = secret->data.find(ref.key);
  if (it != secret->data.end()) return std::optional(it->second);
  if (optional) return std::optional<std::string>();
  return invalid(fmt::format("couldn't find key {} in Secret {}/{}", ref.key, ns, ref.name));
}

}  // namespace nodeagent::pods
