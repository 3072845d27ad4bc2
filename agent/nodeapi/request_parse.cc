#include "agent/nodeapi/request_parse.h"

#include <algorithm>
#include <cctype>

namespace nodeagent::nodeapi {

std::string percent_decode(const std::string& s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) && std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

HttpRequest make_request(std::string method, std::string target,
                         const std::vector<std::pair<std::string, std::string>>& headers, std::string body,
                         std::string remote) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  auto q = r.target.find('?');
  r.path = percent_decode(r.target.substr(0, q), false);
  if (q != std::string::npos) {
    std::string query = r.target.substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      std::string item = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (!item.empty()) {
        auto eq = item.find('=');
        r.query.emplace(percent_decode(item.substr(0, eq), true),
                        eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1), true));
      }
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  for (const auto& [k, v] : headers) {
    std::string name = k;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto [it, inserted] = r.headers.emplace(name, v);
    if (!inserted) it->second += ", " + v;
  }
  r.body = std::move(body);
  r.remote = std::move(remote);
  return r;
}

std::string HttpRequest::param(const std::string& name, bool* present) const {
  auto it = query.find(name);
  if (present) *present = it != query.end();
  return it == query.end() ? "" : it->second;
}

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse text_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace nodeagent::nodeapi
