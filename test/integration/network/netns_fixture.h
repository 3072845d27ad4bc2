// Test scaffolding for the network integration tests: named network namespaces made with
// `ip netns add` (bind-mounted under /run/netns like the sandbox's), a "node" with its own
// netns and state dir, an HTTP server process in a pod's netns, and cleanup that runs even when
// a test fails, plus removal of leftovers from crashed earlier runs (names carry the pid).
// Nothing here touches the host's own links, routes or iptables: every node netns has no
// route out of the machine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "network/iptables/libiptc_table.h"
#include "network/pod/node_network_config.h"
#include "network/pod/pod_network.h"
#include "test/support/temp_dir.h"

namespace nodeagent::network::testing {

// Runs a shell command; returns its stdout (stderr goes to the test log). `rc` gets the status.
std::string sh(const std::string& command, int* rc = nullptr);

// "nanet<pid>-<suffix>": unique per test process, recognisable for leftover cleanup.
std::string unique_name(const std::string& suffix);
// Deletes /run/netns/nanet<pid>-* of processes that no longer exist.
void remove_leftovers_of_dead_runs();

class NamedNetns {
 public:
  explicit NamedNetns(std::string name);
  ~NamedNetns();
  NamedNetns(const NamedNetns&) = delete;
  NamedNetns& operator=(const NamedNetns&) = delete;
  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }
  // Runs a command inside the netns (nsenter --net, so mounts stay shared).
  std::string exec(const std::string& command, int* rc = nullptr) const;

 private:
  std::string name_;
};

using ::nodeagent::testing::TempDir;  // test/support/temp_dir.h

// An HTTP server (busybox httpd) in a netns, serving `body` at /index.html; killed on scope exit.
class HttpServer {
 public:
  HttpServer(const NamedNetns& netns, const std::string& body, int port = 8080);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

 private:
  TempDir docroot_{"na-net-it"};
  int pid_ = -1;
};

// GET http://<ip>:<port>/index.html from inside `netns`; "" on failure.
std::string http_get(const NamedNetns& from, const std::string& ip, int port = 8080);

// Names of links in a netns whose names start with `prefix`.
std::vector<std::string> links_with_prefix(const NamedNetns& netns, const std::string& prefix);

// A simulated node: its netns, its state dir and its pod network (with iptables NAT if asked).
struct TestNode {
  NamedNetns ns;
  TempDir state{"na-net-it"};
  NodeNetworkConfig config;
  bool with_nat = false;
  network::iptables::LibiptcIptables iptables;
  std::unique_ptr<PodNetwork> net;

  TestNode(const std::string& suffix, const std::string& pod_cidr, const std::string& node_ip,
           std::vector<PodCidrRoute> routes = {}, bool start_now = true, bool nat = false);
  // A new PodNetwork over the same netns and state dir: what an agent restart does.
  void start();
  // IP files in the IPAM dir.
  size_t ip_files() const;
  // setup() of a pod whose netns is `pod`; FAILs the test on error; returns the pod IP.
  std::string setup_pod(const NamedNetns& pod, const std::string& uid, std::vector<HostPortMapping> ports = {});
};

// Joins two node netns with a veth pair "ul0" (the underlay), using their node IPs with /24.
void connect_underlay(const TestNode& a, const TestNode& b);

}  // namespace nodeagent::network::testing
