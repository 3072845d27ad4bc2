// HTTP requests behind an interface, so that the protocols spoken over it (the registry's auth
// dance and digest checks, the API server's requests and watch streams) are unit-tested against
// a fake (test/fakes/fake_http_client.h). curl_http_client.h is the real one.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace nodeagent::http {

// TLS of one request: the server's CA (else the system's), and a client certificate.
struct TlsOptions {
  std::string ca_file;           // PEM; "" = the system CAs
  std::string client_cert_file;  // PEM, with client_key_file: mutual TLS (kubeconfig client-certificate)
  std::string client_key_file;
  bool insecure_skip_verify = false;  // kubeconfig insecure-skip-tls-verify
};

struct HttpRequest {
  std::string url;
  std::string method;                // "" = GET, or POST when `form` is set; else GET POST PUT PATCH DELETE
  std::vector<std::string> headers;  // "Name: value"
  std::string username;              // with password: HTTP Basic authentication
  std::string password;
  std::string bearer_token;          // "Authorization: Bearer <token>"
  std::string form;                  // non-empty: POST as application/x-www-form-urlencoded
  std::string body;                  // sent with content_type (e.g. a strategic merge patch)
  std::string content_type;
  TlsOptions tls;
  // A long-lived response (a watch): no low-speed abort; the sink ends it by returning an error.
  bool stream = false;
  // With stream: a response that sends nothing for this long is abandoned (a silent watch), 0 = never.
  int idle_timeout_seconds = 0;
  // A whole non-stream request taking longer than this fails (0 = no cap, e.g. image layers).
  int timeout_seconds = 0;
  // Checked about once a second while the transfer runs: true aborts it (kCancelled-like
  // kUnavailable "cancelled"), so that a watch blocked on an idle stream stops promptly.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // keys lower-case; the last value wins
  std::string body;                            // empty when streamed to a BodySink
};

// Receives the body of a 2xx response chunk by chunk; an error aborts the transfer and is
// returned by send().
using BodySink = std::function<Status(std::string_view chunk)>;

// The method a request is sent with.
std::string method_of(const HttpRequest& request);

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Follows redirects. A transport failure (refused, DNS, TLS, timeout) is kUnavailable; any
  // HTTP status is a response. With a sink, 2xx bodies go to it; other bodies are collected.
  virtual Result<HttpResponse> send(const HttpRequest& request, const BodySink& sink) = 0;
};

}  // namespace nodeagent::http
