// Typed field access over nlohmann::json with field paths (see decode_reader.h).
#include "kube/decode_reader.h"

#include <limits>

#include "kube/quantity.h"
#include "kube/time.h"

namespace nodeagent::kube::detail {

using nlohmann::json;

std::string json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::null: return "null";
    default: return "number";
  }
}

ObjectReader::ObjectReader(DecodeContext& ctx, const json& object, std::string path)
    : ctx_(ctx), object_(object), path_(std::move(path)) {}

ObjectReader::~ObjectReader() {
  for (const auto& [key, value] : object_.items()) {
    if (!used_.count(key)) ctx_.warnings.push_back("unknown field " + quote(path(key)));
  }
}

std::string ObjectReader::path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool ObjectReader::has(const std::string& key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

const json* ObjectReader::field(const std::string& key) {
  used_.insert(key);
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void ObjectReader::mismatch(const std::string& at, const std::string& expected, const json& got) {
  error(type_mismatch(at, "expected " + expected + ", got " + json_type_name(got)));
}

bool ObjectReader::expect_object(const json& v, const std::string& at) {
  if (v.is_object()) return true;
  mismatch(at, "object", v);
  return false;
}

std::optional<std::string> ObjectReader::opt_str(const std::string& key) {
  const json* v = field(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    mismatch(path(key), "string", *v);
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::string ObjectReader::str(const std::string& key) { return opt_str(key).value_or(""); }

std::optional<bool> ObjectReader::opt_bool(const std::string& key) {
  const json* v = field(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    mismatch(path(key), "boolean", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

bool ObjectReader::boolean(const std::string& key) { return opt_bool(key).value_or(false); }

std::optional<int64_t> ObjectReader::opt_i64(const std::string& key) {
  const json* v = field(key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      error(type_mismatch(path(key), "value " + v->dump() + " out of range for int64"));
      return std::nullopt;
    }
    return v->get<int64_t>();
  }
  if (v->is_number_float()) {
    error(type_mismatch(path(key), "expected integer, got number " + v->dump()));
    return std::nullopt;
  }
  mismatch(path(key), "integer", *v);
  return std::nullopt;
}

int64_t ObjectReader::i64(const std::string& key) { return opt_i64(key).value_or(0); }

std::optional<int32_t> ObjectReader::opt_i32(const std::string& key) {
  auto v = opt_i64(key);
  if (!v) return std::nullopt;
  if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
    error(type_mismatch(path(key), "value " + std::to_string(*v) + " out of range for int32"));
    return std::nullopt;
  }
  return static_cast<int32_t>(*v);
}

int32_t ObjectReader::i32(const std::string& key) { return opt_i32(key).value_or(0); }

std::vector<std::string> ObjectReader::strings(const std::string& key) {
  std::vector<std::string> out;
  const json* v = field(key);
  if (!v) return out;
  if (!v->is_array()) {
    mismatch(path(key), "array", *v);
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_null()) {
      out.emplace_back();
    } else {
      mismatch(path(key) + "[" + std::to_string(i) + "]", "string", item);
    }
  }
  return out;
}

std::vector<int64_t> ObjectReader::int64s(const std::string& key) {
  std::vector<int64_t> out;
  const json* v = field(key);
  if (!v) return out;
  if (!v->is_array()) {
    mismatch(path(key), "array", *v);
    return out;
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (item.is_number_integer()) {
      out.push_back(item.get<int64_t>());
    } else {
      mismatch(path(key) + "[" + std::to_string(i) + "]", "integer", item);
    }
  }
  return out;
}

StringMap ObjectReader::string_map(const std::string& key) {
  StringMap out;
  const json* v = field(key);
  if (!v) return out;
  if (!expect_object(*v, path(key))) return out;
  for (const auto& [k, item] : v->items()) {
    if (item.is_string()) {
      out[k] = item.get<std::string>();
    } else if (item.is_null()) {
      out[k] = "";
    } else {
      mismatch(path(key) + "[" + k + "]", "string", item);
    }
  }
  return out;
}

namespace {

// Quantity.UnmarshalJSON takes a JSON string or the text of a JSON number.
std::optional<std::string> quantity_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return std::nullopt;
}

}  // namespace

std::optional<Quantity> ObjectReader::quantity(const std::string& key) {
  const json* v = field(key);
  if (!v) return std::nullopt;
  auto text = quantity_text(*v);
  if (!text) {
    mismatch(path(key), "quantity (string or number)", *v);
    return std::nullopt;
  }
  auto q = parse_quantity(*text);
  if (!q.ok()) {
    error(invalid_string(path(key), *text, q.error().message));
    return std::nullopt;
  }
  return *q;
}

ResourceList ObjectReader::resource_list(const std::string& key) {
  ResourceList out;
  const json* v = field(key);
  if (!v) return out;
  if (!expect_object(*v, path(key))) return out;
  for (const auto& [name, item] : v->items()) {
    std::string at = path(key) + "[" + name + "]";
    auto text = quantity_text(item);
    if (!text) {
      mismatch(at, "quantity (string or number)", item);
      continue;
    }
    auto q = parse_quantity(*text);
    if (!q.ok()) {
      error(invalid_string(at, *text, q.error().message));
      continue;
    }
    out[name] = *q;
  }
  return out;
}

IntOrString ObjectReader::int_or_string(const std::string& key) {
  const json* v = field(key);
  if (!v) return {};
  if (v->is_string()) return IntOrString::from_string(v->get<std::string>());
  if (v->is_number_integer()) {
    int64_t i = v->get<int64_t>();
    if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max()) {
      error(type_mismatch(path(key), "value " + std::to_string(i) + " out of range for int32"));
      return {};
    }
    return IntOrString::from_int(static_cast<int32_t>(i));
  }
  mismatch(path(key), "integer or string", *v);
  return {};
}

std::optional<Time> ObjectReader::time(const std::string& key) {
  auto s = opt_str(key);
  if (!s) return std::nullopt;
  auto t = parse_time(*s);
  if (!t.ok()) {
    error(invalid_string(path(key), *s, "must be an RFC 3339 time"));
    return std::nullopt;
  }
  return *t;
}

RawJson ObjectReader::raw(const std::string& key) {
  const json* v = field(key);
  return v ? v->dump() : RawJson{};
}

}  // namespace nodeagent::kube::detail
