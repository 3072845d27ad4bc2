// Name and value checks of k8s.io/apimachinery/pkg/util/validation, with upstream's messages.
// Each returns the list of problems (empty = valid), as upstream's Is*() functions do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nodeagent::kube {

using Messages = std::vector<std::string>;

Messages is_dns1123_label(std::string_view value);      // container, volume, namespace names
Messages is_dns1123_subdomain(std::string_view value);  // pod names
Messages is_dns1035_label(std::string_view value);      // service names
Messages is_valid_port_name(std::string_view value);    // IANA_SVC_NAME
Messages is_valid_port_num(int64_t port);               // 1-65535
Messages is_qualified_name(std::string_view value);     // label and annotation keys
Messages is_valid_label_value(std::string_view value);
Messages is_relaxed_env_var_name(std::string_view value);  // printable ASCII except '='
Messages is_env_var_name(std::string_view value);          // the strict C_IDENTIFIER-like form
Messages is_config_map_key(std::string_view value);
Messages is_valid_ip(std::string_view value);
Messages is_valid_user_id(int64_t id);                     // 0-2147483647
Messages is_valid_group_id(int64_t id);

}  // namespace nodeagent::kube
