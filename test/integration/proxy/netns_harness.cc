// Implementation of the proxy integration test helpers (see netns_harness.h).
#include "netns_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace proxytest {

int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string sh_out(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

void cleanup_netns_with_prefix(const std::string& prefix) {
  std::istringstream names(sh_out("ip netns list 2>/dev/null | awk '{print $1}'"));
  for (std::string n; std::getline(names, n);) {
    if (n.rfind(prefix, 0) == 0) sh("ip netns del " + n + " 2>/dev/null");
  }
}

Netns::Netns(std::string name) : name_(std::move(name)) {
  sh("ip netns del " + name_ + " 2>/dev/null");
  if (sh("ip netns add " + name_) != 0) throw std::runtime_error("ip netns add " + name_ + " failed");
  ip("link set lo up");
}

Netns::~Netns() { sh("ip netns del " + name_ + " 2>/dev/null"); }

int Netns::ip(const std::string& args) const { return sh("ip -n " + name_ + " " + args); }

void enter_netns(const std::string& name) {
  int fd = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "setns %s: %s\n", name.c_str(), std::strerror(errno));
    std::abort();
  }
  ::close(fd);
}

void in_netns(const std::string& name, const std::function<void()>& fn) {
  std::thread t([&] {
    enter_netns(name);
    fn();
  });
  t.join();
}

EchoServer::EchoServer(std::string netns, Kind kind, uint16_t port, std::string reply) {
  in_netns(netns, [&] {
    fd_ = ::socket(AF_INET, (kind == kTcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind failed");
    if (kind == kTcp) listen(fd_, 128);
  });
  thread_ = std::thread([this, kind, reply] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      char ipbuf[INET_ADDRSTRLEN];
      if (kind == kTcp) {
        int c = accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        if (c < 0) continue;
        inet_ntop(AF_INET, &peer.sin_addr, ipbuf, sizeof ipbuf);
        std::string msg = reply + " " + ipbuf + "\n";
        (void)!write(c, msg.data(), msg.size());
        ::close(c);
      } else {
        char buf[512];
        ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len);
        if (n < 0) continue;
        inet_ntop(AF_INET, &peer.sin_addr, ipbuf, sizeof ipbuf);
        std::string msg = reply + " " + ipbuf + "\n";
        sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
      }
    }
  });
}

EchoServer::~EchoServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

namespace {

Reply request(const std::string& netns, bool tcp, const std::string& ip, uint16_t port, int timeout_ms,
              uint16_t source_port) {
  Reply r;
  in_netns(netns, [&] {
    int fd = ::socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (source_port) {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in src{};
      src.sin_family = AF_INET;
      src.sin_port = htons(source_port);
      bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (rc != 0 && errno != EINPROGRESS) {
      r.refused = errno == ECONNREFUSED;
      ::close(fd);
      return;
    }
    if (!tcp) (void)!send(fd, "ping", 4, 0);
    std::string text;
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      int n = poll(&p, 1, timeout_ms);
      if (n == 0) {
        r.timed_out = true;
        break;
      }
      char buf[512];
      ssize_t got = recv(fd, buf, sizeof buf, 0);
      if (got < 0) {
        if (errno == EAGAIN) continue;
        r.refused = errno == ECONNREFUSED;
        break;
      }
      if (got == 0) break;
      text.append(buf, got);
      if (!tcp || text.find('\n') != std::string::npos) break;
    }
    ::close(fd);
    if (!text.empty()) {
      if (text.back() == '\n') text.pop_back();
      r.ok = true;
      r.text = text;
      r.timed_out = false;
    }
  });
  return r;
}

}  // namespace

Reply tcp_request(const std::string& netns, const std::string& ip, uint16_t port, int timeout_ms, uint16_t source_port) {
  return request(netns, true, ip, port, timeout_ms, source_port);
}
Reply udp_request(const std::string& netns, const std::string& ip, uint16_t port, int timeout_ms, uint16_t source_port) {
  return request(netns, false, ip, port, timeout_ms, source_port);
}

}  // namespace proxytest
