// httpGet with scheme HTTPS against a real TLS server on 127.0.0.1 whose certificate nobody
// trusts: kubelet's probes do not verify it, so the probe succeeds on 200 and fails on 500.
#include <httplib.h>  // Debian's is built with CPPHTTPLIB_OPENSSL_SUPPORT (pkg-config)

#include <catch2/catch.hpp>

#include "test/unit/probes/socket_prober_harness.h"
#include "test/support/local_http_server.h"
#include "test/support/temp_dir.h"
#include "test/unit/kube/client/test_ca.h"

namespace nodeagent::probes {

TEST_CASE("httpGet: HTTPS without certificate verification, as kubelet", "[probes]") {
  nodeagent::testing::TempDir dir("https-probe");
  kube::client::testing::TestCa self_signed;  // its own certificate serves as the server's
  dir.write("cert.pem", self_signed.cert_pem);
  dir.write("key.pem", self_signed.key_pem);
  nodeagent::testing::LocalHttpServer<httplib::SSLServer> server(
      [](httplib::SSLServer& s) {
        s.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("fine", "text/plain"); });
        s.Get("/500", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
      },
      dir.file("cert.pem").c_str(), dir.file("key.pem").c_str());
  REQUIRE(server.port > 0);
  const int port = server.port;

  testing::SocketProberHarness h;
  auto run = [&](const std::string& path) {
    ProbeTarget t;
    t.type = ProbeTarget::Type::kHttpGet;
    t.scheme = "HTTPS";
    t.host = "127.0.0.1";
    t.port = port;
    t.path = path;
    return h.run(t);
  };
  auto ok = run("/ok");
  INFO(ok.message);
  CHECK(ok.outcome == Outcome::kSuccess);
  auto failing = run("/500");
  CHECK(failing.outcome == Outcome::kFailure);
  CHECK(failing.message == "HTTP probe failed with statuscode: 500");
}

}  // namespace nodeagent::probes
