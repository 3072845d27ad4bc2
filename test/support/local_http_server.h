// A cpp-httplib server on 127.0.0.1 (an ephemeral port) serving on a thread of its own for the
// length of a test: the routes are set up first, and the server is stopped and joined on scope
// exit (a server that cannot start leaves `port` 0 for the test to check). `ServerT` is httplib::Server, or httplib::SSLServer with its certificate and key paths
// passed through `args`.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace nodeagent::testing {

template <typename ServerT = httplib::Server>
struct LocalHttpServer {
  ServerT server;
  int port = 0;
  std::thread thread;

  template <typename... Args>
  explicit LocalHttpServer(const std::function<void(ServerT&)>& routes, Args&&... args)
      : server(std::forward<Args>(args)...) {
    if (!server.is_valid()) return;  // e.g. an SSLServer whose certificate does not load: port stays 0
    routes(server);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server.is_running() && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LocalHttpServer() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  std::string url(const std::string& host, const std::string& path) const {
    return "http://" + host + ":" + std::to_string(port) + path;
  }
  std::string url(const std::string& path) const { return url("127.0.0.1", path); }
};

}  // namespace nodeagent::testing
