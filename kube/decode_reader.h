// Internal to the decoders: reads the fields of one JSON object into typed values, recording
// type errors with their field path ("spec.containers[1].ports[0].containerPort: expected
// integer, got string") and every field nobody asked for as an "unknown field" warning.
//
// Usage, one function per API struct:
//   ContainerPort decode_port(ObjectReader& r) {
//     ContainerPort p;
//     p.name = r.str("name");
//     p.container_port = r.i32("containerPort");
//     return p;
//   }  // ~ObjectReader (in the caller) reports the keys that were never read.
// JSON null reads as "absent", as Go's encoding/json does.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/field_error.h"
#include "kube/types.h"

namespace nodeagent::kube::detail {

// Errors and warnings of one document.
struct DecodeContext {
  ErrorList errors;
  std::vector<std::string> warnings;
};

class ObjectReader {
 public:
  // `object` must be a JSON object (expect_object() checks one; object() and list() do for nested ones).
  ObjectReader(DecodeContext& ctx, const nlohmann::json& object, std::string path);
  ~ObjectReader();  // reports unknown fields
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  // The value of a field, or nullptr when absent or null; marks the field as known.
  const nlohmann::json* field(const std::string& key);
  bool has(const std::string& key) const;
  std::string path(const std::string& key) const;
  DecodeContext& ctx() { return ctx_; }
  void error(FieldError e) { ctx_.errors.push_back(std::move(e)); }
  // Marks fields as known without reading them (e.g. apiVersion/kind at the top level).
  void ignore(const std::string& key) { used_.insert(key); }

  std::string str(const std::string& key);
  std::optional<std::string> opt_str(const std::string& key);
  bool boolean(const std::string& key);
  std::optional<bool> opt_bool(const std::string& key);
  int32_t i32(const std::string& key);
  std::optional<int32_t> opt_i32(const std::string& key);
  int64_t i64(const std::string& key);
  std::optional<int64_t> opt_i64(const std::string& key);
  std::vector<std::string> strings(const std::string& key);
  std::vector<int64_t> int64s(const std::string& key);
  StringMap string_map(const std::string& key);
  std::optional<Quantity> quantity(const std::string& key);
  ResourceList resource_list(const std::string& key);
  IntOrString int_or_string(const std::string& key);
  std::optional<Time> time(const std::string& key);
  RawJson raw(const std::string& key);

  // A nested object decoded by `fn(ObjectReader&)`; nullopt when absent or mistyped.
  template <typename Fn>
  auto object(const std::string& key, Fn fn) -> std::optional<decltype(fn(std::declval<ObjectReader&>()))> {
    const nlohmann::json* v = field(key);
    if (!v) return std::nullopt;
    if (!expect_object(*v, path(key))) return std::nullopt;
    ObjectReader child(ctx_, *v, path(key));
    return fn(child);
  }

  // A list of objects, each decoded by `fn(ObjectReader&)`; paths get "[i]".
  template <typename Fn>
  auto list(const std::string& key, Fn fn) -> std::vector<decltype(fn(std::declval<ObjectReader&>()))> {
    std::vector<decltype(fn(std::declval<ObjectReader&>()))> out;
    const nlohmann::json* v = field(key);
    if (!v) return out;
    if (!v->is_array()) {
      mismatch(path(key), "array", *v);
      return out;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      std::string item_path = path(key) + "[" + std::to_string(i) + "]";
      if (!expect_object((*v)[i], item_path)) continue;
      ObjectReader child(ctx_, (*v)[i], item_path);
      out.push_back(fn(child));
    }
    return out;
  }

  bool expect_object(const nlohmann::json& v, const std::string& at);
  void mismatch(const std::string& at, const std::string& expected, const nlohmann::json& got);

 private:
  DecodeContext& ctx_;
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> used_;
};

// "string", "number", "boolean", "object", "array", "null": how a JSON type is named in errors.
std::string json_type_name(const nlohmann::json& v);

}  // namespace nodeagent::kube::detail
