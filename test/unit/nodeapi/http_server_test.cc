#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "agent/nodeapi/http_server.h"

using namespace nodeagent::nodeapi;

namespace {

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

void send_all(int fd, const std::string& s) { REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size())); }

std::string read_until(int fd, const std::string& needle) {
  std::string got;
  char buf[4096];
  while (got.find(needle) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

std::string get(int port, const std::string& path) {
  int fd = connect_to(port);
  send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string r = read_until(fd, "\x01never");
  ::close(fd);
  return r;
}

}  // namespace

TEST_CASE("simple, streaming and upgrade routes on one pool thread; a stream never blocks the others") {
  std::atomic<bool> release{false};
  Router r;
  r.add(Route{"/fast", false, SimpleHandler([](const HttpRequest& req, const User&) {
                return text_response(200, "fast " + req.param("q"));
              })});
  r.add(Route{"/stream/", true, StreamingHandler([&](const HttpRequest&, const User&, ResponseStream& out) {
                out.start(200, "text/plain");
                out.write("first\n");
                while (!release && !out.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
                out.write("last\n");
              })});
  r.add(Route{"/up", false, UpgradeHandler{[](const HttpRequest& req, const User&) {
                                             UpgradeDecision d;
                                             if (req.header("upgrade") != "echo") d.refusal = text_response(400, "no");
                                             d.headers = {{"Connection", "Upgrade"}, {"Upgrade", "echo"}};
                                             return d;
                                           },
                                           [](const HttpRequest&, const User&, ByteStream& s) {
                                             char buf[64];
                                             size_t n;
                                             while ((n = s.read_some(buf, sizeof buf)) > 0) s.write_all(std::string_view(buf, n));
                                           }}});
  HttpServerOptions o;
  o.address = "127.0.0.1";
  o.threads = 1;
  HttpServer server(o, std::move(r));
  REQUIRE(server.start().ok());
  const int port = server.port();

  int stream = connect_to(port);
  send_all(stream, "GET /stream/x HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = read_until(stream, "first\n");
  CHECK(head.find("HTTP/1.1 200 OK") == 0);
  CHECK(head.find("Transfer-Encoding: chunked") != std::string::npos);
  // While the stream is open, the one pool thread still answers.
  auto fast = get(port, "/fast?q=a%20b");
  CHECK(fast.find("HTTP/1.1 200 OK") == 0);
  CHECK(fast.find("fast a b") != std::string::npos);
  CHECK(get(port, "/nothing").find("HTTP/1.1 404") == 0);

  int up = connect_to(port);
  send_all(up, "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
  auto switched = read_until(up, "\r\n\r\n");
  CHECK(switched.find("HTTP/1.1 101 Switching Protocols\r\n") == 0);
  send_all(up, "ping");
  CHECK(read_until(up, "ping") == "ping");
  ::close(up);

  release = true;
  auto rest = read_until(stream, "0\r\n\r\n");
  CHECK(rest.find("last\n") != std::string::npos);
  ::close(stream);

  int refused = connect_to(port);
  send_all(refused, "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: other\r\n\r\n");
  CHECK(read_until(refused, "no").find("HTTP/1.1 400") == 0);
  ::close(refused);
  server.stop();
}

TEST_CASE("stop() ends streams that are still open") {
  Router r;
  r.add(Route{"/s", false, StreamingHandler([](const HttpRequest&, const User&, ResponseStream& out) {
                out.start(200, "text/plain");
                while (!out.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
              })});
  HttpServerOptions o;
  o.address = "127.0.0.1";
  HttpServer server(o, std::move(r));
  REQUIRE(server.start().ok());
  int fd = connect_to(server.port());
  send_all(fd, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n");
  read_until(fd, "\r\n\r\n");
  auto t0 = std::chrono::steady_clock::now();
  server.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  ::close(fd);
}

TEST_CASE("a port already taken is an error naming the listener") {
  Router r;
  HttpServerOptions o;
  o.address = "127.0.0.1";
  HttpServer a(o, Router{});
  REQUIRE(a.start().ok());
  o.port = a.port();
  o.name = "healthz";
  HttpServer b(o, std::move(r));
  auto st = b.start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("healthz on 127.0.0.1:") != std::string::npos);
}
