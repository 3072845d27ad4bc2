// The curl edge of httpGet hooks against real HTTP servers on 127.0.0.1 (in the test's own
// netns: an empty netns path): redirects to the same host are followed and to another host
// are not (kubelet's RedirectChecker(false)), any status is an answer, a refused connection
// and a timeout are errors, an HTTPS hook on an HTTP server falls back to HTTP.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <atomic>
#include <thread>

#include "probes/hooks/curl_hook_http.h"
#include "test/support/local_http_server.h"

using namespace nodeagent;
using namespace nodeagent::probes::hooks;
using namespace std::chrono_literals;

namespace {

using LocalServer = nodeagent::testing::LocalHttpServer<>;

HttpGetRequest get(std::string url) {
  HttpGetRequest r;
  r.url = std::move(url);
  r.headers = {"User-Agent: kube-lifecycle/0.1", "X-Hook: yes"};
  return r;
}

}  // namespace

TEST_CASE("curl hook GET: headers sent, any status answers, redirects to the same host only") {
  std::atomic<int> other_host_hits{0};
  std::atomic<int> own_port{0};
  std::string seen_header;
  LocalServer local([&](httplib::Server& s) {
    s.Get("/hook", [&](const httplib::Request& req, httplib::Response& res) {
      seen_header = req.get_header_value("X-Hook") + "|" + req.get_header_value("User-Agent");
      res.status = 500;
    });
    s.Get("/same", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/hook"); });
    s.Get("/elsewhere", [&](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://localhost:" + std::to_string(own_port.load()) + "/nowhere");  // same server, other name
    });
    s.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    s.Get("/nowhere", [&](const httplib::Request&, httplib::Response&) { ++other_host_hits; });
  });
  own_port = local.port;
  CurlHookHttp http;

  auto r = http.get(get(local.url("127.0.0.1", "/hook")));
  REQUIRE(r.ok());
  CHECK(r->status == 500);
  CHECK(seen_header == "yes|kube-lifecycle/0.1");

  r = http.get(get(local.url("127.0.0.1", "/same")));
  REQUIRE(r.ok());
  CHECK(r->status == 500);  // followed to /hook

  r = http.get(get(local.url("127.0.0.1", "/elsewhere")));
  REQUIRE(r.ok());
  CHECK(r->status == 302);  // another host: the redirect itself is the answer
  CHECK(other_host_hits == 0);

  r = http.get(get(local.url("127.0.0.1", "/loop")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("stopped after 10 redirects") != std::string::npos);
}

TEST_CASE("curl hook GET: refused and timed out") {
  int port = 0;
  {
    LocalServer gone([](httplib::Server&) {});
    port = gone.port;
  }
  CurlHookHttp http;
  auto r = http.get(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(r.error().message.rfind("Get \"http://127.0.0.1:", 0) == 0);

  LocalServer slow([](httplib::Server& s) {
    s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1500ms);
      res.status = 200;
    });
  });
  auto req = get(slow.url("127.0.0.1", "/slow"));
  req.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  r = http.get(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kDeadlineExceeded);
  CHECK(std::chrono::steady_clock::now() - started < 1200ms);
}

TEST_CASE("curl hook GET: HTTPS to an HTTP server is retried with HTTP") {
  std::string auth_seen = "unset";
  LocalServer local([&](httplib::Server& s) {
    s.Get("/x", [&](const httplib::Request& req, httplib::Response& res) {
      auth_seen = req.get_header_value("Authorization");
      res.status = 204;
    });
  });
  CurlHookHttp http;
  auto req = get("https://127.0.0.1:" + std::to_string(local.port) + "/x");
  req.headers.push_back("Authorization: Bearer secret");
  auto r = http.get(req);
  REQUIRE(r.ok());
  CHECK(r->status == 204);
  CHECK(r->fell_back_to_http);
  CHECK(auth_seen.empty());  // dropped on the HTTP retry, as upstream
}
