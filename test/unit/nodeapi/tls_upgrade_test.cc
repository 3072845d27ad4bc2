// The TLS side of the server: the self-signed serving pair, a client certificate reaching the
// gate, and an upgraded TLS stream used by a reader and a writer thread at once (exec's shape).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "agent/nodeapi/http_server.h"
#include "agent/nodeapi/serving_cert.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::nodeapi;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

TEST_CASE("an upgraded TLS stream carries a read and a write from two threads at once") {
  nodeagent::testing::TempDir dir("na-tls");
  auto pair = ensure_self_signed_cert(dir.path(), {"node1", "127.0.0.1"});
  REQUIRE(pair.ok());
  auto again = ensure_self_signed_cert(dir.path(), {"node1"});  // kept while valid
  REQUIRE(again.ok());

  Router r;
  r.add(Route{"/up", false,
              UpgradeHandler{[](const HttpRequest&, const User&) {
                               UpgradeDecision d;
                               d.headers = {{"Connection", "Upgrade"}, {"Upgrade", "test"}};
                               return d;
                             },
                             [](const HttpRequest&, const User& user, ByteStream& s) {
                               // A writer thread streams while this one reads until the client says "bye".
                               std::atomic<bool> done{false};
                               std::thread writer([&] {
                                 s.write_all("user=" + user.name + "\n");
                                 while (!done) {
                                   if (!s.write_all("tick\n")) break;
                                   std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                 }
                               });
                               std::string got;
                               char buf[256];
                               while (got.find("bye") == std::string::npos) {
                                 size_t n = s.read_some(buf, sizeof buf);
                                 if (n == 0) break;
                                 got.append(buf, n);
                               }
                               done = true;
                               writer.join();
                               s.write_all("got " + std::to_string(got.size()) + "\n");
                             }}});
  HttpServerOptions o;
  o.address = "127.0.0.1";
  o.tls = TlsFiles{pair->cert_file, pair->key_file, ""};
  Gate gate = [](const HttpRequest&, const PeerCertificate&) {
    GateResult g;
    g.user = User{"tester", "", {}, {}};
    return g;
  };
  HttpServer server(o, std::move(r), gate);
  REQUIRE(server.start().ok());

  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);
  ssl::stream<net::ip::tcp::socket> client(ioc, ctx);
  client.next_layer().connect({net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server.port())});
  client.handshake(ssl::stream_base::client);
  net::write(client, net::buffer(std::string("GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")));
  std::string in;
  char buf[4096];
  auto read_until = [&](const std::string& needle) {
    while (in.find(needle) == std::string::npos) {
      boost::system::error_code ec;
      size_t n = client.read_some(net::buffer(buf), ec);
      if (ec) break;
      in.append(buf, n);
    }
  };
  read_until("tick\ntick\ntick\n");
  CHECK(in.find("HTTP/1.1 101 Switching Protocols\r\n") == 0);
  CHECK(in.find("user=tester\n") != std::string::npos);
  const std::string payload(100000, 'x');
  net::write(client, net::buffer(payload + "bye"));  // while the server keeps writing ticks
  read_until("got ");
  read_until("\n");
  in = in.substr(in.find("got "));
  CHECK(in.substr(0, in.find('\n')) == "got " + std::to_string(payload.size() + 3));
  server.stop();
}
