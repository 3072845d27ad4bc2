// A plain-HTTP stand-in for the node API server in front of StreamingEndpoints, on 127.0.0.1:
// reads one request per connection, answers with accept()'s reply and, on 101, hands the socket
// to serve() — the seam the HTTPS server (agent/nodeapi) uses, without TLS or authentication.
// One thread per connection; stop() unblocks and joins them.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "agent/nodeapi/streaming/streaming_endpoints.h"
#include "test/support/fd_byte_stream.h"

namespace nodeagent::testing {

class UpgradeServer {
 public:
  explicit UpgradeServer(nodeapi::streaming::StreamingEndpoints& endpoints) : endpoints_(endpoints) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { loop(); });
  }
  ~UpgradeServer() { stop(); }
  int port() const { return port_; }
  std::string url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
  }
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(fd_);
    {
      std::lock_guard lock(mu_);
      for (auto* s : open_) s->close();
    }
    // No new threads once the acceptor is gone; each one takes mu_ on its way out.
    for (auto& t : threads_) t.join();
  }

 private:
  static std::string decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i] == '+' ? ' ' : s[i]);
      }
    }
    return out;
  }

  static nodeapi::streaming::StreamRequest parse(const std::string& head) {
    nodeapi::streaming::StreamRequest r;
    size_t eol = head.find("\r\n");
    std::string line = head.substr(0, eol);
    size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    r.method = line.substr(0, sp1);
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t q = target.find('?');
    r.path = decode(target.substr(0, q));
    if (q != std::string::npos) {
      std::string query = target.substr(q + 1);
      size_t start = 0;
      while (start < query.size()) {
        size_t amp = query.find('&', start);
        std::string item = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        size_t eq = item.find('=');
        r.query.emplace(decode(item.substr(0, eq)), eq == std::string::npos ? "" : decode(item.substr(eq + 1)));
        if (amp == std::string::npos) break;
        start = amp + 1;
      }
    }
    size_t pos = eol + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos || end == pos) break;
      std::string h = head.substr(pos, end - pos);
      size_t colon = h.find(':');
      std::string name = h.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = h.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      auto [it, inserted] = r.headers.emplace(name, value);
      if (!inserted) it->second += ", " + value;  // as the node API server merges them
      pos = end + 2;
    }
    return r;
  }

  void loop() {
    while (true) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::lock_guard lock(mu_);
      threads_.emplace_back([this, c] { handle(c); });
    }
  }

  void handle(int c) {
    FdByteStream io(c);
    {
      std::lock_guard lock(mu_);
      open_.push_back(&io);
    }
    std::string head;
    char buf[4096];
    // Byte at a time up to the blank line: nothing after it may be swallowed (SPDY follows).
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      size_t n = io.read_some(buf, 1);
      if (n == 0) break;
      head.append(buf, n);
    }
    auto req = parse(head);
    auto reply = endpoints_.accept(req);
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + (reply.upgrade() ? " Switching Protocols" : " Error") + "\r\n";
    for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
    if (!reply.upgrade()) out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n";
    out += "\r\n";
    if (!reply.upgrade()) out += reply.body;
    if (io.write_all(out) && reply.upgrade()) endpoints_.serve(req, io);
    io.close();
    std::lock_guard lock(mu_);
    open_.remove(&io);
  }

  nodeapi::streaming::StreamingEndpoints& endpoints_;
  int fd_ = -1;
  int port_ = 0;
  bool stopped_ = false;
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::thread> threads_;
  std::list<FdByteStream*> open_;
};

}  // namespace nodeagent::testing
