// Rendering of field errors in the API server's words (see field_error.h).
#include "kube/field_error.h"

#include <cstdio>

namespace nodeagent::kube {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string FieldError::to_string() const {
  std::string body;
  switch (type) {
    case Type::kRequired: body = "Required value"; break;
    case Type::kForbidden: body = "Forbidden"; break;
    case Type::kTooLong: body = "Too long"; break;
    case Type::kInvalid: body = "Invalid value: " + value; break;
    case Type::kDuplicate: body = "Duplicate value: " + value; break;
    case Type::kNotSupported: body = "Unsupported value: " + value; break;
    case Type::kNotFound: body = "Not found: " + value; break;
    case Type::kTypeMismatch: break;
  }
  if (!detail.empty()) body += body.empty() ? detail : ": " + detail;
  return field.empty() ? body : field + ": " + body;
}

FieldError invalid_value(std::string field, std::string rendered_value, std::string detail) {
  return {FieldError::Type::kInvalid, std::move(field), std::move(rendered_value), std::move(detail)};
}
FieldError invalid_string(std::string field, std::string_view value, std::string detail) {
  return invalid_value(std::move(field), quote(value), std::move(detail));
}
FieldError invalid_int(std::string field, int64_t value, std::string detail) {
  return invalid_value(std::move(field), std::to_string(value), std::move(detail));
}
FieldError required_value(std::string field, std::string detail) {
  return {FieldError::Type::kRequired, std::move(field), {}, std::move(detail)};
}
FieldError duplicate_value(std::string field, std::string_view value) {
  return {FieldError::Type::kDuplicate, std::move(field), quote(value), {}};
}
FieldError not_supported(std::string field, std::string_view value, const std::vector<std::string>& supported) {
  std::string detail;
  if (!supported.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) detail += (i ? ", " : "") + quote(supported[i]);
  }
  return {FieldError::Type::kNotSupported, std::move(field), quote(value), std::move(detail)};
}
FieldError forbidden(std::string field, std::string detail) {
  return {FieldError::Type::kForbidden, std::move(field), {}, std::move(detail)};
}
FieldError too_long(std::string field, std::string detail) {
  return {FieldError::Type::kTooLong, std::move(field), {}, std::move(detail)};
}
FieldError not_found(std::string field, std::string_view value) {
  return {FieldError::Type::kNotFound, std::move(field), quote(value), {}};
}
FieldError type_mismatch(std::string field, std::string detail) {
  return {FieldError::Type::kTypeMismatch, std::move(field), {}, std::move(detail)};
}

std::string api_error_message(std::string_view kind, std::string_view name, const ErrorList& errors) {
  std::string out = std::string(kind) + " " + quote(name) + " is invalid: ";
  if (errors.size() == 1) return out + errors[0].to_string();
  out += "[";
  for (size_t i = 0; i < errors.size(); ++i) out += (i ? ", " : "") + errors[i].to_string();
  return out + "]";
}

std::string one_line_summary(std::string_view object, const ErrorList& errors) {
  std::string out(object);
  out += ": ";
  for (size_t i = 0; i < errors.size(); ++i) out += (i ? "; " : "") + errors[i].to_string();
  return out;
}

}  // namespace nodeagent::kube
