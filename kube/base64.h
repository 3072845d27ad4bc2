// Standard base64 (RFC 4648, with padding), as Go's encoding/json writes []byte: Secret.data and
// ConfigMap.binaryData on the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nodeagent::kube {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace nodeagent::kube
