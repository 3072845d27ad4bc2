#include "agent/nodeapi/streaming/stream_handshake.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nodeagent::nodeapi::streaming {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> comma_list(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

bool is_spdy_upgrade(const StreamRequest& req) {
  return lower(req.header("connection")).find("upgrade") != std::string::npos &&
         lower(req.header("upgrade")).find("spdy/3.1") != std::string::npos;
}

Handshake spdy_handshake(const StreamRequest& req, const std::vector<std::string>& server_protocols) {
  Handshake h;
  // Upstream's wording, so that clients and logs read the same.
  auto it = req.headers.find("x-stream-protocol-version");
  if (it == req.headers.end()) {
    h.reply = error_reply(400, fmt::format("unable to upgrade: header X-Stream-Protocol-Version does not exist in request with {} headers",
                                           req.headers.size()));
    return h;
  }
  std::vector<std::string> client = comma_list(it->second);
  if (client.empty()) {
    h.reply = error_reply(400, fmt::format("unable to upgrade: header X-Stream-Protocol-Version contains [{}], but no valid protocols",
                                           it->second));
    return h;
  }
  for (const auto& c : client) {
    if (std::find(server_protocols.begin(), server_protocols.end(), c) != server_protocols.end()) {
      h.protocol = c;
      break;
    }
  }
  if (h.protocol.empty()) {
    h.reply = error_reply(403, fmt::format("unable to upgrade: unable to negotiate protocol: client supports [{}], server accepts [{}]",
                                           fmt::join(client, " "), fmt::join(server_protocols, " ")));
    for (const auto& p : server_protocols) h.reply.headers.emplace_back("X-Accepted-Stream-Protocol-Versions", p);
    return h;
  }
  if (!is_spdy_upgrade(req)) {
    h.protocol.clear();
    h.reply = error_reply(400, "unable to upgrade: missing upgrade headers in request");
    return h;
  }
  h.reply.status = 101;
  h.reply.headers = {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", h.protocol}};
  return h;
}

}  // namespace nodeagent::nodeapi::streaming
