// The curl HttpClient against a real HTTP server on 127.0.0.1 (cpp-httplib, port chosen by the
// kernel): methods and bodies (a strategic merge patch as the API client sends it), bearer
// tokens, error statuses as responses, a refused connection as kUnavailable, and a long-lived
// stream that the sink ends.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <atomic>
#include <thread>

#include "util/http/curl_http_client.h"
#include "test/support/local_http_server.h"

using namespace nodeagent;

namespace {

using LocalServer = nodeagent::testing::LocalHttpServer<>;

}  // namespace

TEST_CASE("PATCH with a body, a content type and a bearer token") {
  LocalServer local([](httplib::Server& s) {
    s.Patch("/api/v1/namespaces/default/pods/web/status", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.get_header_value("Authorization") + "|" + req.get_header_value("Content-Type") + "|" + req.body,
                      "text/plain");
    });
  });
  http::CurlHttpClient client;
  http::HttpRequest req;
  req.url = local.url("/api/v1/namespaces/default/pods/web/status");
  req.method = "PATCH";
  req.body = R"({"status":{"phase":"Running"}})";
  req.content_type = "application/strategic-merge-patch+json";
  req.bearer_token = "abc.def";
  auto resp = client.send(req, nullptr);
  REQUIRE(resp.ok());
  CHECK(resp->status == 200);
  CHECK(resp->body == R"(Bearer abc.def|application/strategic-merge-patch+json|{"status":{"phase":"Running"}})");
  CHECK(http::method_of(req) == "PATCH");
}

TEST_CASE("GET and DELETE; an HTTP error is a response, a refused connection kUnavailable") {
  LocalServer local([](httplib::Server& s) {
    s.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("fine", "text/plain"); });
    s.Delete("/gone", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"kind":"Status","reason":"NotFound"})", "application/json");
    });
  });
  http::CurlHttpClient client;
  http::HttpRequest get;
  get.url = local.url("/ok");
  auto ok = client.send(get, nullptr);
  REQUIRE(ok.ok());
  CHECK(ok->body == "fine");
  CHECK(ok->headers.at("content-type") == "text/plain");

  http::HttpRequest del;
  del.url = local.url("/gone");
  del.method = "DELETE";
  auto gone = client.send(del, nullptr);
  REQUIRE(gone.ok());
  CHECK(gone->status == 404);
  CHECK(gone->body == R"({"kind":"Status","reason":"NotFound"})");

  http::HttpRequest refused;
  refused.url = "http://127.0.0.1:1/";
  auto failed = client.send(refused, nullptr);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(failed.error().message, Catch::StartsWith("GET http://127.0.0.1:1/: "));
}

TEST_CASE("a stream delivers chunks as they come, and the sink ends it") {
  std::atomic<bool> client_gone{false};
  LocalServer local([&](httplib::Server& s) {
    s.Get("/watch", [&](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [&](size_t, httplib::DataSink& sink) {
        for (int i = 0; i < 1000 && !client_gone; ++i) {
          std::string event = R"({"type":"ADDED","n":)" + std::to_string(i) + "}\n";
          if (!sink.write(event.data(), event.size())) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        sink.done();
        return true;
      });
    });
  });
  http::CurlHttpClient client;
  http::HttpRequest req;
  req.url = local.url("/watch");
  req.stream = true;
  std::string seen;
  auto resp = client.send(req, [&](std::string_view chunk) -> Status {
    seen.append(chunk);
    if (std::count(seen.begin(), seen.end(), '\n') >= 3) return Error{ErrorCode::kDeadlineExceeded, "enough events"};
    return ok_status();
  });
  client_gone = true;
  REQUIRE_FALSE(resp.ok());
  CHECK(resp.error().message == "enough events");  // the sink's own error ends the stream
  CHECK_THAT(seen, Catch::StartsWith(R"({"type":"ADDED","n":0})"));
}
