#include "probes/handlers/http_message.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace nodeagent::probes {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// host[:port] of an authority; brackets around IPv6 removed.
Result<std::pair<std::string, int>> split_authority(std::string_view auth, int default_port) {
  std::string host;
  std::string_view rest;
  if (!auth.empty() && auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) return invalid("bad host in URL");
    host = std::string(auth.substr(1, close - 1));
    rest = auth.substr(close + 1);
  } else {
    auto colon = auth.find(':');
    host = std::string(auth.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : auth.substr(colon);
  }
  int port = default_port;
  if (!rest.empty()) {
    if (rest.front() != ':') return invalid("bad port in URL");
    rest.remove_prefix(1);
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
    if (ec != std::errc() || p != rest.data() + rest.size() || port <= 0 || port > 65535) return invalid("bad port in URL");
  }
  if (host.empty()) return invalid("no host in URL");
  return std::make_pair(host, port);
}

}  // namespace

std::string host_port(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string url_string(const Url& url) { return url.scheme + "://" + host_port(url.host, url.port) + url.path; }

std::string build_request(const Url& url, const std::vector<kube::HTTPHeader>& headers, const std::string& user_agent) {
  std::string host = host_port(url.host, url.port);
  std::string ua = user_agent;
  std::optional<std::string> accept = "*/*";
  std::string extra;
  for (const auto& h : headers) {
    if (iequals(h.name, "Host")) host = h.value;
    else if (iequals(h.name, "User-Agent")) ua = h.value;
    else if (iequals(h.name, "Accept")) accept = h.value.empty() ? std::nullopt : std::optional<std::string>(h.value);
    else extra += h.name + ": " + h.value + "\r\n";
  }
  std::string req = "GET " + url.path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + ua + "\r\n";
  if (accept) req += "Accept: " + *accept + "\r\n";
  req += extra;
  req += "Connection: close\r\n\r\n";
  return req;
}

std::optional<Result<HttpHead>> parse_head(std::string_view data) {
  const auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > kMaxHeadBytes) return Result<HttpHead>(invalid("response headers too long"));
    return std::nullopt;
  }
  HttpHead head;
  head.head_bytes = end + 4;
  std::string_view lines = data.substr(0, end);
  auto eol = lines.find("\r\n");
  std::string_view status_line = lines.substr(0, eol);
  // HTTP/1.1 200 OK
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12 || status_line[8] != ' ')
    return Result<HttpHead>(invalid(fmt::format("malformed HTTP response \"{}\"", status_line)));
  auto code = status_line.substr(9, 3);
  auto [p, ec] = std::from_chars(code.data(), code.data() + 3, head.status);
  if (ec != std::errc() || p != code.data() + 3)
    return Result<HttpHead>(invalid(fmt::format("malformed HTTP status code \"{}\"", code)));
  while (eol != std::string_view::npos) {
    lines.remove_prefix(eol + 2);
    eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = line.substr(0, colon);
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Location")) head.location = std::string(value);
    if (iequals(name, "Content-Length")) {
      size_t n = 0;
      auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (e == std::errc() && q == value.data() + value.size()) head.content_length = n;
    }
  }
  return Result<HttpHead>(head);
}

bool is_followed_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Result<Url> resolve_location(const Url& base, std::string_view location) {
  Url out = base;
  auto scheme_end = location.find("://");
  const auto first_slash = location.find('/');
  if (scheme_end != std::string_view::npos && (first_slash == std::string_view::npos || scheme_end < first_slash)) {
    std::string scheme(location.substr(0, scheme_end));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
    if (scheme != "http" && scheme != "https") return invalid(fmt::format("unsupported protocol scheme \"{}\"", scheme));
    out.scheme = scheme;
    location.remove_prefix(scheme_end + 1);  // leaves "//host..."
  }
  if (location.substr(0, 2) == "//") {
    location.remove_prefix(2);
    auto slash = location.find_first_of("/?");
    NA_ASSIGN_OR_RETURN(auto hp, split_authority(location.substr(0, slash), out.scheme == "https" ? 443 : 80));
    out.host = hp.first;
    out.port = hp.second;
    out.path = slash == std::string_view::npos ? "/" : std::string(location.substr(slash));
    if (out.path.front() == '?') out.path.insert(out.path.begin(), '/');
    return out;
  }
  if (!location.empty() && location.front() == '/') {
    out.path = std::string(location);
    return out;
  }
  // Relative to the base path's directory.
  std::string dir = base.path.substr(0, base.path.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  out.path = dir + std::string(location);
  return out;
}

RunResult http_outcome(int status, std::string_view body) {
  if (status >= 200 && status < 400) {
    if (status >= 300)
      return {Outcome::kSuccess, fmt::format("Probe terminated redirects, Response body: {}", body), true};
    return {Outcome::kSuccess, std::string(body), false};
  }
  return {Outcome::kFailure, fmt::format("HTTP probe failed with statuscode: {}", status), false};
}

}  // namespace nodeagent::probes
