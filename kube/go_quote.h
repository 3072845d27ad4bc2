// Go's %q of a string (strconv.Quote), which the downward API uses for label and annotation
// values in files: "a\"b\n" -> "\"a\\\"b\\n\"". Valid UTF-8 stays as it is; control characters
// and invalid bytes are escaped as Go escapes them.
#pragma once

#include <string>

namespace nodeagent::kube {

std::string go_quote(const std::string& s);

}  // namespace nodeagent::kube
