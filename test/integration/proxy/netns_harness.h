// Test-only helpers for proxy integration tests: network namespaces the test creates (and always
// deletes), work run on a thread inside a namespace, tiny TCP/UDP servers that answer
// "<name> <client ip>", and clients with timeouts. Traffic stays inside the test's namespaces.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace proxytest {

// Runs a shell command; returns its exit status (stdout/stderr go to the test log).
int sh(const std::string& cmd);
// Runs a shell command and returns its stdout.
std::string sh_out(const std::string& cmd);

// Deletes every netns whose name starts with `prefix` (leftovers of a crashed run).
void cleanup_netns_with_prefix(const std::string& prefix);

// `ip netns add` on construction, `ip netns del` on destruction.
class Netns {
 public:
  explicit Netns(std::string name);
  ~Netns();
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;
  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }
  // `ip -n <name> ...`
  int ip(const std::string& args) const;

 private:
  std::string name_;
};

// Enters the namespace on the calling thread (setns).
void enter_netns(const std::string& name);
// Runs fn on a fresh thread inside the namespace and waits for it.
void in_netns(const std::string& name, const std::function<void()>& fn);

// Echo server: each TCP connection / UDP datagram is answered with "<reply> <peer ip>".
class EchoServer {
 public:
  enum Kind { kTcp, kUdp };
  EchoServer(std::string netns, Kind kind, uint16_t port, std::string reply);
  ~EchoServer();

 private:
  std::atomic<bool> stop_{false};
  int fd_ = -1;
  std::thread thread_;
};

// Result of one client request.
struct Reply {
  bool ok = false;
  bool refused = false;   // ECONNREFUSED / ICMP port unreachable
  bool timed_out = false;
  std::string text;       // the server's answer
};

Reply tcp_request(const std::string& netns, const std::string& ip, uint16_t port, int timeout_ms = 1000,
                  uint16_t source_port = 0);
Reply udp_request(const std::string& netns, const std::string& ip, uint16_t port, int timeout_ms = 1000,
                  uint16_t source_port = 0);

}  // namespace proxytest
