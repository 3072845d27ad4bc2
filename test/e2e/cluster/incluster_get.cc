// A static in-cluster client for the e2e tests (busybox has no TLS client that works here): GET
// PATH from the API server at $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, as client-go's
// rest.InClusterConfig does: the server verified against the service account's ca.crt (and its
// IP SAN), the service account's token as the bearer unless --anonymous. Prints the status line
// and the body; exits 0 when the TLS exchange worked (whatever the HTTP status), 1 otherwise.
//
//   incluster-get PATH [--anonymous]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

int fail(const std::string& what) {
  std::cerr << "incluster-get: " << what << "\n";
  ERR_print_errors_fp(stderr);
  return 1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return fail("usage: incluster-get PATH [--anonymous]");
  const std::string path = argv[1];
  const bool anonymous = argc > 2 && std::string(argv[2]) == "--anonymous";
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !port) return fail("KUBERNETES_SERVICE_HOST/PORT are not set");
  const std::string token = slurp(std::string(kServiceAccountDir) + "/token");
  if (!anonymous && token.empty()) return fail(std::string("no token in ") + kServiceAccountDir);

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(port)));
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return fail(std::string("not an IPv4 address: ") + host);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail(std::string("connect ") + host + ":" + port + ": " + std::strerror(errno));

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (SSL_CTX_load_verify_locations(ctx, (std::string(kServiceAccountDir) + "/ca.crt").c_str(), nullptr) != 1)
    return fail("cannot load ca.crt");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(ctx);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);  // the serving cert's IP SAN
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) return fail("TLS handshake with " + std::string(host) + " failed");

  std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nAccept: application/json\r\n";
  if (!anonymous) request += "Authorization: Bearer " + token + "\r\n";
  request += "\r\n";
  if (SSL_write(ssl, request.data(), static_cast<int>(request.size())) <= 0) return fail("write failed");
  std::string response;
  char buf[4096];
  int n;
  while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
  const auto header_end = response.find("\r\n\r\n");
  std::cout << response.substr(0, response.find("\r\n")) << "\n"
            << (header_end == std::string::npos ? "" : response.substr(header_end + 4)) << "\n";
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fd);
  return 0;
}
