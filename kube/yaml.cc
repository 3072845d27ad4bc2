// YAML 1.1 reading (go-yaml v2 rules on top of yaml-cpp's YAML 1.2 parser) and YAML writing.
#include "kube/yaml.h"

#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace nodeagent::kube {
namespace {

using nlohmann::json;

// strconv.ParseUint(s, 0, 64) without sign handling: base prefixes 0x, 0o, 0b, a leading 0 = octal.
std::optional<uint64_t> go_parse_unsigned(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') { base = 16; s.remove_prefix(2); }
    else if (p == 'o' || p == 'O') { base = 8; s.remove_prefix(2); }
    else if (p == 'b' || p == 'B') { base = 2; s.remove_prefix(2); }
    else { base = 8; s.remove_prefix(1); }
    if (s.empty()) return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

// strconv.ParseInt(s, 0, 64).
std::optional<int64_t> go_parse_signed(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  auto u = go_parse_unsigned(s);
  if (!u) return std::nullopt;
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (*u > kMaxPositive + 1) return std::nullopt;
    return *u == kMaxPositive + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(*u);
  }
  if (*u > kMaxPositive) return std::nullopt;
  return static_cast<int64_t>(*u);
}

// A float as it reaches a Go struct after sigs.k8s.io/yaml: json.Marshal prints integral floats
// below 1e21 without a fraction, so they decode into integer fields.
json float_value(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.2e18) return static_cast<int64_t>(v);
  return v;
}

// go-yaml v2's float syntax: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool is_yaml_float(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

json convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const std::string& text = node.Scalar();
      if (tag == "?") return resolve_plain_scalar(text);
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;
      if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
          tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
        return resolve_plain_scalar(text);
      }
      return text;  // other explicit tags: the text as is
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(convert(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) {
        // Non-string keys become their JSON text (1 -> "1", true -> "true"), as sigs.k8s.io/yaml.
        json key = convert(kv.first);
        std::string k = key.is_string() ? key.get<std::string>() : key.is_null() ? "null" : key.dump();
        out[k] = convert(kv.second);
      }
      return out;
    }
  }
  return nullptr;
}

bool starts_as_json(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

void emit(YAML::Emitter& out, const json& v) {
  switch (v.type()) {
    case json::value_t::object:
      // Empty collections in flow style, on the key's line: "resources: {}" as kubectl prints.
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        break;
      }
      out << YAML::BeginMap;
      for (const auto& [k, item] : v.items()) {
        out << YAML::Key;
        emit(out, json(k));
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case json::value_t::array:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      out << YAML::BeginSeq;
      for (const auto& item : v) emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (s.find('\n') != std::string::npos) {
        out << YAML::Literal << s;
      } else if (!resolve_plain_scalar(s).is_string() || s.empty()) {
        out << YAML::SingleQuoted << s;
      } else {
        out << s;
      }
      break;
    }
    case json::value_t::null:
      out << YAML::Null;
      break;
    case json::value_t::boolean:
      out << (v.get<bool>() ? "true" : "false");
      break;
    default:
      out << v.dump();  // numbers: JSON text is valid YAML
  }
}

}  // namespace

json resolve_plain_scalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  static const char* kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const char* kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (const char* t : kTrue) if (text == t) return true;
  for (const char* f : kFalse) if (text == f) return false;
  for (const char* s : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == s) return std::numeric_limits<double>::infinity();
  }
  for (const char* s : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == s) return -std::numeric_limits<double>::infinity();
  }
  for (const char* s : {".nan", ".NaN", ".NAN"}) {
    if (text == s) return std::numeric_limits<double>::quiet_NaN();
  }
  const char first = text[0];
  if (first == '.') {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end && *end == '\0' && text.size() > 1 && std::isdigit(static_cast<unsigned char>(text[1]))) {
      return float_value(d);
    }
    return text;
  }
  if (!(std::isdigit(static_cast<unsigned char>(first)) || first == '+' || first == '-')) return text;
  std::string plain;
  for (char c : text) if (c != '_') plain += c;
  if (auto i = go_parse_signed(plain)) return *i;
  if (plain[0] != '+' && plain[0] != '-') {
    if (auto u = go_parse_unsigned(plain)) return *u;
  }
  if (is_yaml_float(plain)) return float_value(std::strtod(plain.c_str(), nullptr));
  return text;
}

Result<std::vector<json>> parse_documents(std::string_view text) {
  std::vector<json> docs;
  if (starts_as_json(text)) {
    try {
      docs.push_back(json::parse(text));
    } catch (const json::parse_error& e) {
      return invalid(std::string("invalid JSON: ") + e.what());
    }
    return docs;
  }
  try {
    for (const YAML::Node& node : YAML::LoadAll(std::string(text))) {
      json doc = convert(node);
      if (doc.is_null()) continue;
      docs.push_back(std::move(doc));
    }
  } catch (const YAML::Exception& e) {
    return invalid("invalid YAML: line " + std::to_string(e.mark.line + 1) + ", column " +
                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return docs;
}

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  out.SetNullFormat(YAML::LowerNull);  // "null", as kubectl prints it
  emit(out, value);
  std::string s = out.c_str();
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace nodeagent::kube
