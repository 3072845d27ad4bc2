// One HTTP/1.1 listener of the node API, on Boost.Beast + Asio: plain (kubelet's healthz port,
// kube-proxy's healthz, metrics and healthCheckNodePort listeners) or TLS with optional client
// certificates (kubelet's :10250). A small pool of threads runs the event loop and the simple
// handlers; streaming responses and upgraded connections get a thread of their own, so a
// `logs -f` never holds up other requests. Every request passes the gate (authentication and
// authorization) before its route.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/nodeapi/routes.h"
#include "util/result.h"

namespace nodeagent::nodeapi {

struct TlsFiles {
  std::string cert_file;       // PEM chain
  std::string key_file;
  std::string client_ca_file;  // "" = client certificates are not asked for
};

// The client certificate of a TLS connection, as checked against the client CA.
struct PeerCertificate {
  bool presented = false;
  bool verified = false;            // chains to --client-ca-file and is within its validity
  std::string verify_error;
  std::string common_name;          // CN: the user name
  std::vector<std::string> organizations;  // O: the groups
};

// The gate's verdict: a user to run the route as, or the response that refuses the request.
struct GateResult {
  std::optional<User> user;
  HttpResponse refusal;
};
using Gate = std::function<GateResult(const HttpRequest&, const PeerCertificate&)>;

struct HttpServerOptions {
  std::string name = "http";        // for logs
  std::string address = "0.0.0.0";
  int port = 0;                     // 0: any free port (port() says which)
  std::optional<TlsFiles> tls;
  int threads = 2;
  int max_long_lived = 256;         // streaming/upgraded connections at once; beyond: 503
};

class HttpServer {
 public:
  // A null gate lets every request through as an empty user.
  HttpServer(HttpServerOptions options, Router router, Gate gate = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files and binds; errors name the address and the file.
  [[nodiscard]] Status start();
  int port() const;
  void stop();  // idempotent: closes the listener and every connection, joins every thread

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace nodeagent::nodeapi
