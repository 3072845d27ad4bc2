// The tcpSocket and httpGet handlers against a real HTTP server on loopback: status codes,
// kubelet's headers, redirects to the same host (followed) and to another (a warning), timeouts,
// refused connections, with kubelet's messages. Also the pure request/response helpers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "probes/handlers/http_message.h"
#include "probes/handlers/io_loop.h"
#include "probes/handlers/netns_sockets.h"
#include "probes/handlers/socket_prober.h"
#include "test/unit/probes/socket_prober_harness.h"

namespace nodeagent::probes {
namespace {

// A one-connection-at-a-time HTTP server on 127.0.0.1 answering by path.
class TestServer {
 public:
  TestServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);  // 127.0.0.1 and 127.0.0.2 alike
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        last_ = req;
      }
      if (req.size() < 4) {  // a tcpSocket probe: connected and gone without a request
        ::close(c);
        continue;
      }
      const std::string path = req.substr(4, req.find(' ', 4) - 4);
      std::string resp;
      auto reply = [](int code, const std::string& extra, const std::string& body) {
        return "HTTP/1.1 " + std::to_string(code) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
               "\r\n" + body;
      };
      if (path == "/ok") resp = reply(200, "", "fine");
      else if (path == "/500") resp = reply(500, "", "broken");
      else if (path == "/same") resp = reply(302, "Location: /ok\r\n", "");
      else if (path == "/loop") resp = reply(302, "Location: /loop\r\n", "");
      else if (path == "/other")
        resp = reply(302, "Location: http://127.0.0.2:" + std::to_string(port_) + "/ok\r\n", "moved");
      else if (path == "/slow") {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        resp = reply(200, "", "late");
      } else if (path == "/big") resp = reply(200, "", std::string(100 * 1024, 'x'));
      else resp = reply(404, "", "");
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string last_;
};

using Harness = testing::SocketProberHarness;

ProbeTarget http(int port, const std::string& path) {
  ProbeTarget t;
  t.type = ProbeTarget::Type::kHttpGet;
  t.host = "127.0.0.1";
  t.port = port;
  t.path = path;
  return t;
}

int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("httpGet: 200 succeeds with kubelet's request headers", "[probes]") {
  TestServer server;
  Harness h;
  auto t = http(server.port(), "/ok");
  t.headers.push_back({"X-Custom", "yes"});
  auto r = h.run(t);
  CHECK(r.outcome == Outcome::kSuccess);
  CHECK_FALSE(r.warning);
  const auto req = server.last_request();
  CHECK(req.rfind("GET /ok HTTP/1.1\r\n", 0) == 0);
  CHECK(req.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n") != std::string::npos);
  CHECK(req.find("\r\nUser-Agent: kube-probe/0.1\r\n") != std::string::npos);
  CHECK(req.find("\r\nAccept: */*\r\n") != std::string::npos);
  CHECK(req.find("\r\nX-Custom: yes\r\n") != std::string::npos);
  CHECK(req.find("\r\nConnection: close\r\n") != std::string::npos);
}

TEST_CASE("httpGet: 500 fails with kubelet's message", "[probes]") {
  TestServer server;
  Harness h;
  auto r = h.run(http(server.port(), "/500"));
  CHECK(r.outcome == Outcome::kFailure);
  CHECK(r.message == "HTTP probe failed with statuscode: 500");
}

TEST_CASE("httpGet: redirects are followed to the same host only", "[probes]") {
  TestServer server;
  Harness h;
  auto same = h.run(http(server.port(), "/same"));
  CHECK(same.outcome == Outcome::kSuccess);
  CHECK_FALSE(same.warning);
  CHECK(server.last_request().rfind("GET /ok ", 0) == 0);

  auto other = h.run(http(server.port(), "/other"));
  CHECK(other.outcome == Outcome::kSuccess);
  CHECK(other.warning);
  CHECK(other.message == "Probe terminated redirects, Response body: moved");
  CHECK(server.last_request().rfind("GET /other ", 0) == 0);  // 127.0.0.2 was never asked

  auto loop = h.run(http(server.port(), "/loop"));
  CHECK(loop.outcome == Outcome::kFailure);
  CHECK(loop.message == "Get \"http://127.0.0.1:" + std::to_string(server.port()) + "/loop\": stopped after 10 redirects");
}

TEST_CASE("httpGet: a big body is read up to the cap", "[probes]") {
  TestServer server;
  Harness h;
  CHECK(h.run(http(server.port(), "/big")).outcome == Outcome::kSuccess);
}

TEST_CASE("httpGet: timeoutSeconds and refused connections, as kubelet words them", "[probes]") {
  TestServer server;
  Harness h;
  auto slow = h.run(http(server.port(), "/slow"), std::chrono::milliseconds(300));
  CHECK(slow.outcome == Outcome::kFailure);
  CHECK(slow.message == "Get \"http://127.0.0.1:" + std::to_string(server.port()) +
                            "/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
  const int port = free_port();
  auto refused = h.run(http(port, "/"));
  CHECK(refused.outcome == Outcome::kFailure);
  CHECK(refused.message == "Get \"http://127.0.0.1:" + std::to_string(port) + "/\": dial tcp 127.0.0.1:" +
                               std::to_string(port) + ": connect: connection refused");
}

TEST_CASE("tcpSocket: open and closed ports", "[probes]") {
  TestServer server;
  Harness h;
  ProbeTarget t;
  t.type = ProbeTarget::Type::kTcpSocket;
  t.host = "127.0.0.1";
  t.port = server.port();
  CHECK(h.run(t).outcome == Outcome::kSuccess);
  t.port = free_port();
  auto r = h.run(t);
  CHECK(r.outcome == Outcome::kFailure);
  CHECK(r.message == "dial tcp 127.0.0.1:" + std::to_string(t.port) + ": connect: connection refused");
}

TEST_CASE("http_message: Location resolution and response heads", "[probes]") {
  Url base{"http", "10.0.0.1", 8080, "/a/b?x=1"};
  CHECK(url_string(*resolve_location(base, "/c")) == "http://10.0.0.1:8080/c");
  CHECK(url_string(*resolve_location(base, "c")) == "http://10.0.0.1:8080/a/c");
  CHECK(url_string(*resolve_location(base, "https://10.0.0.2/d")) == "https://10.0.0.2:443/d");
  CHECK(url_string(*resolve_location(base, "//[fd00::1]:81")) == "http://[fd00::1]:81/");
  CHECK_FALSE(resolve_location(base, "ftp://x/").ok());
  CHECK_FALSE(parse_head("HTTP/1.1 200 OK\r\nContent-Le"));
  auto head = parse_head("HTTP/1.1 301 Moved\r\nlocation: /x\r\ncontent-length: 3\r\n\r\nabc");
  REQUIRE(head);
  REQUIRE(head->ok());
  CHECK((*head)->status == 301);
  CHECK((*head)->location == "/x");
  CHECK((*head)->content_length == 3u);
  CHECK_FALSE(parse_head("SSH-2.0-OpenSSH\r\n\r\n")->ok());
  CHECK(http_outcome(399, "").outcome == Outcome::kSuccess);
  CHECK(http_outcome(400, "").message == "HTTP probe failed with statuscode: 400");
}

}  // namespace nodeagent::probes
