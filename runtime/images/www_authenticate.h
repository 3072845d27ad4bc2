// Parsing of HTTP WWW-Authenticate challenges (RFC 7235), as registries send them on 401:
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
//   Basic realm="Registry Realm"
#pragma once

#include <map>
#include <string>
#include <vector>

namespace nodeagent::runtime::images {

struct AuthChallenge {
  std::string scheme;                         // lower-case: "bearer", "basic"
  std::map<std::string, std::string> params;  // lower-case keys: realm, service, scope, error
};

// All challenges in one header value; malformed trailing input is ignored.
std::vector<AuthChallenge> parse_www_authenticate(const std::string& header);

}  // namespace nodeagent::runtime::images
