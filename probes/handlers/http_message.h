// The HTTP/1.1 pieces of the httpGet probe, as pure functions: the request kubelet sends
// (User-Agent kube-probe/<major.minor>, Accept */*, Connection: close, the probe's httpHeaders),
// the response head, redirects (Location resolved against the request URL), and the outcome by
// kubelet's rules (pkg/probe/http): 200-399 success, a 3xx that was not followed a success with
// a warning, anything else "HTTP probe failed with statuscode: N". Bodies are read up to 10 KiB.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/types.h"
#include "probes/engine/probe_types.h"
#include "util/result.h"

namespace nodeagent::probes {

inline constexpr size_t kMaxBodyBytes = 10 * 1024;  // kubelet's maxRespBodyLength
inline constexpr size_t kMaxHeadBytes = 64 * 1024;
inline constexpr int kMaxRedirects = 10;            // Go's http.Client default

struct Url {
  std::string scheme = "http";  // http | https
  std::string host;             // IP address (IPv6 without brackets) or name
  int port = 80;
  std::string path = "/";       // with the query
};
// "http://10.0.0.5:8080/healthz" (IPv6 hosts in brackets).
std::string url_string(const Url& url);
std::string host_port(const std::string& host, int port);

std::string build_request(const Url& url, const std::vector<kube::HTTPHeader>& headers, const std::string& user_agent);

struct HttpHead {
  int status = 0;
  std::string location;
  std::optional<size_t> content_length;
  size_t head_bytes = 0;  // status line and headers, with the blank line
};
// nullopt while the head is incomplete; an error when it is not HTTP.
std::optional<Result<HttpHead>> parse_head(std::string_view data);

bool is_followed_redirect(int status);  // 301, 302, 303, 307, 308
// The URL a Location header points to, relative to `base`.
Result<Url> resolve_location(const Url& base, std::string_view location);

// kubelet's verdict on a final response.
RunResult http_outcome(int status, std::string_view body);

}  // namespace nodeagent::probes
