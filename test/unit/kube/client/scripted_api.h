// An http::HttpClient that answers API requests from a function of the request, for the client
// and reflector tests (watch URLs carry a random timeoutSeconds, so exact-URL fakes do not fit).
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "util/http/http_client.h"

namespace nodeagent::kube::client::testing {

class ScriptedApi : public http::HttpClient {
 public:
  using Handler = std::function<http::HttpResponse(const http::HttpRequest&)>;
  explicit ScriptedApi(Handler handler) : handler_(std::move(handler)) {}

  Result<http::HttpResponse> send(const http::HttpRequest& request, const http::BodySink& sink) override {
    {
      std::lock_guard lock(mu_);
      requests.push_back(request);
    }
    auto resp = handler_(request);
    if (resp.status == 0) return unavailable(request.method + " " + request.url + ": connection refused");
    if (resp.status >= 200 && resp.status < 300 && sink) {
      // One byte at a time: watch decoding must not depend on chunk boundaries.
      for (char c : resp.body) NA_RETURN_IF_ERROR(sink(std::string_view(&c, 1)));
      resp.body.clear();
    }
    return resp;
  }

  std::vector<http::HttpRequest> requests;

 private:
  Handler handler_;
  std::mutex mu_;
};

inline http::HttpResponse json_response(long status, const std::string& body) { return http::HttpResponse{status, {}, body}; }

}  // namespace nodeagent::kube::client::testing
