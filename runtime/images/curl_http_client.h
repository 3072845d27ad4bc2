// HttpClient over libcurl: one easy handle per request, TLS verified with the system CAs.
#pragma once

#include <chrono>

#include "runtime/images/http_client.h"

namespace nodeagent::runtime::images {

struct CurlOptions {
  std::chrono::seconds connect_timeout{10};
  // A transfer slower than 1 KiB/s for this long is abandoned (no overall cap: layers are big).
  std::chrono::seconds low_speed_time{60};
};

class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options = {});
  Result<HttpResponse> send(const HttpRequest& request, const BodySink& sink) override;

 private:
  CurlOptions options_;
};

}  // namespace nodeagent::runtime::images
