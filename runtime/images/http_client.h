// The HTTP requests the registry client needs (GET, and a form POST for OAuth2 tokens), behind an interface so the registry protocol (auth
// dance, digest checks, manifest selection) is unit-tested against a fake. curl_http_client.h
// is the real one.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace nodeagent::runtime::images {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string username;              // with password: HTTP Basic authentication
  std::string password;
  std::string form;                  // non-empty: POST as application/x-www-form-urlencoded
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // keys lower-case; the last value wins
  std::string body;                            // empty when streamed to a BodySink
};

// Receives the body of a 2xx response chunk by chunk; an error aborts the transfer and is
// returned by get().
using BodySink = std::function<Status(std::string_view chunk)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // GET, or POST when request.form is set. Follows redirects. A transport failure (refused, DNS, TLS, timeout) is kUnavailable; any
  // HTTP status is a response. With a sink, 2xx bodies go to it; other bodies are collected.
  virtual Result<HttpResponse> send(const HttpRequest& request, const BodySink& sink) = 0;
};

}  // namespace nodeagent::runtime::images
