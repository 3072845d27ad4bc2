// httpGet with scheme HTTPS against a real TLS server on 127.0.0.1 whose certificate nobody
// trusts: kubelet's probes do not verify it, so the probe succeeds on 200 and fails on 500.
#include <httplib.h>  // Debian's is built with CPPHTTPLIB_OPENSSL_SUPPORT (pkg-config)

#include <catch2/catch.hpp>

#include <thread>

#include "probes/handlers/io_loop.h"
#include "probes/handlers/netns_sockets.h"
#include "probes/handlers/socket_prober.h"
#include "test/support/temp_dir.h"
#include "test/unit/kube/client/test_ca.h"

namespace nodeagent::probes {

TEST_CASE("httpGet: HTTPS without certificate verification, as kubelet", "[probes]") {
  nodeagent::testing::TempDir dir("https-probe");
  kube::client::testing::TestCa self_signed;  // its own certificate serves as the server's
  dir.write("cert.pem", self_signed.cert_pem);
  dir.write("key.pem", self_signed.key_pem);
  httplib::SSLServer server(dir.file("cert.pem").c_str(), dir.file("key.pem").c_str());
  REQUIRE(server.is_valid());
  server.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("fine", "text/plain"); });
  server.Get("/500", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });

  IoLoop loop;
  NetnsSockets sockets;
  SocketProber prober{loop, sockets, "kube-probe/0.1"};
  auto run = [&](const std::string& path) {
    ProbeRun r;
    r.target.type = ProbeTarget::Type::kHttpGet;
    r.target.scheme = "HTTPS";
    r.target.host = "127.0.0.1";
    r.target.port = port;
    r.target.path = path;
    std::optional<RunResult> result;
    prober.start(r, [&](RunResult res) { result = std::move(res); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!result && std::chrono::steady_clock::now() < give_up) {
      prober.expire(std::chrono::steady_clock::now());
      prober.sweep();
      loop.run_once(50);
    }
    prober.sweep();
    REQUIRE(result);
    return *result;
  };
  auto ok = run("/ok");
  INFO(ok.message);
  CHECK(ok.outcome == Outcome::kSuccess);
  auto failing = run("/500");
  CHECK(failing.outcome == Outcome::kFailure);
  CHECK(failing.message == "HTTP probe failed with statuscode: 500");
  server.stop();
  serving.join();
}

}  // namespace nodeagent::probes
