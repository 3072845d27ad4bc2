// What the streaming endpoints need of an HTTP Upgrade request, and what they answer before the
// upgrade, independent of the HTTP server (agent/nodeapi adapts its request type to this).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nodeagent::nodeapi::streaming {

struct StreamRequest {
  std::string method;
  std::string path;                               // percent-decoded
  std::multimap<std::string, std::string> query;  // decoded, repeated keys kept in order
  std::map<std::string, std::string> headers;     // lower-case names; repeated ones joined by ", "

  std::string header(const std::string& lower_name) const;
  std::string param(const std::string& name) const;                // first value or ""
  std::vector<std::string> params(const std::string& name) const;  // every value, in order
};

// The answer to the upgrade request: 101 with `headers`, or an error response with `body`.
struct StreamReply {
  int status = 101;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool upgrade() const { return status == 101; }
};

StreamReply error_reply(int status, std::string body);

}  // namespace nodeagent::nodeapi::streaming
