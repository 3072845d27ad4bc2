// A private containerd for integration tests, and one containerd namespace per test.
//
//   auto& ctd = nodeagent::testing::ContainerdFixture::instance();  // started once per process
//   nodeagent::testing::ContainerdNamespace ns;                      // unique, cleaned at scope end
//   runtime::ImageInfo img = ns.import_test_image();                 // busybox (test/fixtures/images)
//   auto conn = ns.connection();
//
// containerd runs with --config <tmp>/config.toml: root, state, gRPC/ttrpc/debug sockets all
// under a temp dir (/tmp/na-ctd-XXXXXX), CRI plugin disabled. At process exit it is stopped,
// its shims are killed, everything mounted under the temp dir is unmounted and the dir removed.
// Leftovers of a crashed earlier run (dir whose owner pid is gone) are cleaned at start.
#pragma once

#include <memory>
#include <string>

#include "runtime/containerd/connection.h"
#include "runtime/types.h"

namespace nodeagent::testing {

class ContainerdFixture {
 public:
  // The process-wide instance; aborts the test process with a message if containerd cannot start.
  static ContainerdFixture& instance();
  ~ContainerdFixture();

  const std::string& dir() const { return dir_; }          // the temp dir holding everything
  const std::string& socket() const { return socket_; }    // gRPC socket path
  std::string fifo_dir() const { return dir_ + "/fifo"; }   // for ContainerServiceOptions::fifo_dir
  int pid() const { return pid_; }

  // Path of the busybox OCI archive, built on first use by test/fixtures/images/build-test-image.sh
  // (cached under /tmp/nodeagent-test-images/).
  static std::string test_image_archive();
  // Path of the agnhost OCI archive (upstream's test server over busybox), built on first use
  // by scripts/controlplane/build-agnhost.sh and test/fixtures/images/build-agnhost-image.sh.
  static std::string agnhost_image_archive();

  // Stops containerd (SIGTERM) and starts it again on the same root, state and socket; shims and
  // their containers keep running, as after a real containerd restart.
  void restart();

 private:
  ContainerdFixture();
  void start_process();
  void stop_process();
  void stop();

  std::string dir_;
  std::string socket_;
  int pid_ = -1;
};

// A uniquely named containerd namespace ("<prefix>-<pid>-<n>"). The destructor kills and deletes
// its tasks, then deletes containers, images, leases, snapshots and content, the namespace
// itself, and the cgroups containerd's default paths left behind (/sys/fs/cgroup/*/<ns>).
class ContainerdNamespace {
 public:
  explicit ContainerdNamespace(const std::string& prefix = "natest");
  ~ContainerdNamespace();
  ContainerdNamespace(const ContainerdNamespace&) = delete;
  ContainerdNamespace& operator=(const ContainerdNamespace&) = delete;

  const std::string& name() const { return name_; }
  std::shared_ptr<runtime::ctd::Connection> connection() const { return connection_; }

  // Imports the busybox test image under `ref` with ctr, and returns what the container
  // service needs (chain_id, config). Aborts the test on failure (REQUIRE).
  runtime::ImageInfo import_test_image(const std::string& ref = "test/busybox:latest");
  // The same for any OCI archive of one image (e.g. ContainerdFixture::agnhost_image_archive()).
  runtime::ImageInfo import_image_archive(const std::string& archive, const std::string& ref) const;

  // Deletes everything in the namespace and the namespace; returns a description of what could
  // not be removed ("" when clean). Called by the destructor; tests call it to assert cleanliness.
  std::string cleanup();

 private:
  std::string name_;
  std::shared_ptr<runtime::ctd::Connection> connection_;
  bool cleaned_ = false;
};

// Runs a shell command, returning its exit code and (combined) output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& shell_command);

}  // namespace nodeagent::testing
