// A scripted http::HttpClient for registry tests: responses by exact URL (or a handler), and a log of
// every request made.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "util/http/http_client.h"

namespace nodeagent::runtime::images::testing {

class FakeHttpClient : public http::HttpClient {
 public:
  using Handler = std::function<Result<http::HttpResponse>(const http::HttpRequest&)>;

  void on(const std::string& url, Handler handler) { handlers_[url] = std::move(handler); }
  void respond(const std::string& url, long status, std::string body, std::map<std::string, std::string> headers = {}) {
    on(url, [=](const http::HttpRequest&) -> Result<http::HttpResponse> { return http::HttpResponse{status, headers, body}; });
  }

  Result<http::HttpResponse> send(const http::HttpRequest& request, const http::BodySink& sink) override {
    requests.push_back(request);
    auto it = handlers_.find(request.url);
    if (it == handlers_.end()) return http::HttpResponse{404, {}, R"({"errors":[{"code":"NOT_FOUND","message":"no such url"}]})"};
    auto resp = it->second(request);
    if (resp.ok() && resp->status >= 200 && resp->status < 300 && sink) {
      // Deliver in two chunks so streaming code sees more than one.
      std::string body = std::move(resp->body);
      resp->body.clear();
      size_t half = body.size() / 2;
      NA_RETURN_IF_ERROR(sink(std::string_view(body).substr(0, half)));
      NA_RETURN_IF_ERROR(sink(std::string_view(body).substr(half)));
    }
    return resp;
  }

  // Requests whose URL starts with `prefix`.
  size_t count(const std::string& prefix) const {
    size_t n = 0;
    for (const auto& r : requests) n += r.url.rfind(prefix, 0) == 0;
    return n;
  }

  std::vector<http::HttpRequest> requests;

 private:
  std::map<std::string, Handler> handlers_;
};

inline bool has_header(const http::HttpRequest& r, const std::string& header) {
  for (const auto& h : r.headers) {
    if (h == header) return true;
  }
  return false;
}

}  // namespace nodeagent::runtime::images::testing
