// A private Docker registry for integration tests: Debian's `docker-registry serve` with its own
// config (filesystem storage in a temp dir, listening on 127.0.0.1:<free port>, no auth), never
// the system config, which turns on htpasswd auth and listens on every interface.
//
//   nodeagent::testing::RegistryFixture registry;                 // started, ready
//   registry.push(ContainerdFixture::test_image_archive(), "busybox:latest");
//   pull_image(registry.host() + "/busybox:latest", ...);
//
// The registry dies with the test process (PR_SET_PDEATHSIG) and is stopped and its temp dir
// removed by the destructor; dirs of crashed earlier runs (/tmp/na-registry-*, owner pid gone)
// are removed at start.
#pragma once

#include <string>

namespace nodeagent::testing {

class RegistryFixture {
 public:
  // Starts the registry and waits until GET /v2/ answers; throws std::runtime_error on failure.
  RegistryFixture();
  ~RegistryFixture();
  RegistryFixture(const RegistryFixture&) = delete;
  RegistryFixture& operator=(const RegistryFixture&) = delete;

  // "127.0.0.1:<port>"
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // Pushes an OCI archive to host()/<repo_and_tag> with skopeo; throws on failure.
  void push(const std::string& oci_archive, const std::string& repo_and_tag) const;

  // Stops the registry now (idempotent): later requests to host() are refused.
  void stop();

 private:
  std::string dir_;
  int port_ = 0;
  int pid_ = -1;
};

// A port on 127.0.0.1 nothing listens on (bound and released).
int unused_local_port();

}  // namespace nodeagent::testing
