// Field errors as the API server reports them (k8s.io/apimachinery/pkg/util/validation/field):
// "spec.containers[0].image: Required value",
// "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of ...".
// Decoding, defaulting and validation all report through these, so messages look the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nodeagent::kube {

struct FieldError {
  enum class Type {
    kInvalid,       // "Invalid value: <value>: <detail>"
    kRequired,      // "Required value[: <detail>]"
    kDuplicate,     // "Duplicate value: <value>"
    kNotSupported,  // "Unsupported value: <value>: supported values: \"A\", \"B\""
    kForbidden,     // "Forbidden: <detail>"
    kTooLong,       // "Too long: <detail>"
    kNotFound,      // "Not found: <value>"
    kTypeMismatch,  // decoding: "expected integer, got string"
  };
  Type type = Type::kInvalid;
  std::string field;  // "spec.containers[1].ports[0].containerPort"
  std::string value;  // already rendered: "\"Web\"" for strings, "70000" for numbers
  std::string detail;

  // "field: body", exactly as field.Error.Error() prints it.
  std::string to_string() const;
};

using ErrorList = std::vector<FieldError>;

// Constructors named like upstream's field.Invalid / field.Required / ...
FieldError invalid_value(std::string field, std::string rendered_value, std::string detail);
FieldError invalid_string(std::string field, std::string_view value, std::string detail);
FieldError invalid_int(std::string field, int64_t value, std::string detail);
FieldError required_value(std::string field, std::string detail = {});
FieldError duplicate_value(std::string field, std::string_view value);
FieldError not_supported(std::string field, std::string_view value, const std::vector<std::string>& supported);
FieldError forbidden(std::string field, std::string detail);
FieldError too_long(std::string field, std::string detail);
FieldError not_found(std::string field, std::string_view value);
FieldError type_mismatch(std::string field, std::string detail);

// Go's %q of a string, which is how upstream renders string values: "a\"b".
std::string quote(std::string_view s);

// What the API server answers on a rejected create: `Pod "web" is invalid: <err>` for one error,
// `Pod "web" is invalid: [<err1>, <err2>]` for several.
std::string api_error_message(std::string_view kind, std::string_view name, const ErrorList& errors);

// One line for logs and events: `pod default/web: <err1>; <err2>`.
std::string one_line_summary(std::string_view object, const ErrorList& errors);

}  // namespace nodeagent::kube
