#include "agent/nodeapi/streaming/stream_request.h"

namespace nodeagent::nodeapi::streaming {

std::string StreamRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string StreamRequest::param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

std::vector<std::string> StreamRequest::params(const std::string& name) const {
  std::vector<std::string> out;
  auto [first, last] = query.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

StreamReply error_reply(int status, std::string body) {
  StreamReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace nodeagent::nodeapi::streaming
