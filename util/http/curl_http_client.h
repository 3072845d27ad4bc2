// HttpClient over libcurl: one easy handle per request; TLS verified with the system CAs or the
// request's CA, with a client certificate when the request has one.
#pragma once

#include <chrono>

#include "util/http/http_client.h"

namespace nodeagent::http {

struct CurlOptions {
  std::chrono::seconds connect_timeout{10};
  // A transfer slower than 1 KiB/s for this long is abandoned (no overall cap: layers are big;
  // not for streams, which may idle for minutes).
  std::chrono::seconds low_speed_time{60};
};

class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options = {});
  Result<HttpResponse> send(const HttpRequest& request, const BodySink& sink) override;

 private:
  CurlOptions options_;
};

}  // namespace nodeagent::http
