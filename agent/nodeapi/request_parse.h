// Turns what the HTTP library parsed into an HttpRequest: the path percent-decoded, the query
// split into decoded pairs, header names lower-cased. Pure, for tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agent/nodeapi/http_types.h"

namespace nodeagent::nodeapi {

HttpRequest make_request(std::string method, std::string target,
                         const std::vector<std::pair<std::string, std::string>>& headers, std::string body,
                         std::string remote);

// Percent-decoding ('+' is a space only in queries).
std::string percent_decode(const std::string& s, bool plus_is_space);

}  // namespace nodeagent::nodeapi
