// End to end with a private containerd (test/support/containerd_fixture): a busybox container
// joins a pod sandbox made by SandboxManagerImpl (net, ipc, uts and the shared pid namespace of
// nodeagent-pause) and its stdout/stderr go through the real nodeagent-logger, started by
// containerd 1.6's runc shim from the binary:// log URI. Checks what the container saw and
// that the CRI log file holds every line. Needs root.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/logs/log_reader.h"
#include "runtime/sandbox/ns_mounts.h"
#include "runtime/sandbox/sandbox_manager_impl.h"
#include "test/integration/containerd/test_helpers.h"

using namespace nodeagent;
using namespace nodeagent::testing;
namespace sbx = nodeagent::runtime::sandbox;

namespace {

std::string read_log(const std::string& path, std::optional<runtime::logs::Stream> stream) {
  runtime::logs::ReadOptions options;
  options.stream = stream;
  std::string out;
  auto status = runtime::logs::read_logs(path, options, [&](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  REQUIRE(status.ok());
  return out;
}

}  // namespace

TEST_CASE("a container joins the sandbox namespaces and logs through nodeagent-logger", "[integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  TempDir dir("na-ctdtest");
  runtime::SandboxManagerImpl sandboxes(dir.path() + "/root", {NA_PAUSE_BIN});
  runtime::SandboxConfig pod;
  pod.pod_uid = "e2e-uid";
  pod.hostname = "e2e-pod";
  pod.share_process_namespace = true;
  auto sandbox = sandboxes.ensure_sandbox(pod);
  REQUIRE(sandbox.ok());

  auto svc = make_service(ns, NA_LOGGER_BIN);
  constexpr int kLines = 20000;
  const std::string script =
      "hostname; cat /proc/1/comm; cat /sys/class/net/lo/operstate; readlink /proc/self/ns/net; "
      "i=0; while [ $i -lt " + std::to_string(kLines) + " ]; do echo out-$i; echo err-$i >&2; i=$((i+1)); done; "
      "head -c 40000 /dev/zero | tr '\\0' x; echo";
  auto config = busybox_config(ns, image, "in-sandbox", {"/bin/sh", "-c", script});
  config.hostname = "";  // the sandbox's UTS namespace already has it
  config.namespaces.network = sandbox->netns_path;
  config.namespaces.ipc = sandbox->ipcns_path;
  config.namespaces.uts = sandbox->utsns_path;
  config.namespaces.pid = sandbox->pidns_path;
  config.log_path = dir.path() + "/logs/0.log";
  config.log_max_size_bytes = 100 << 20;
  std::filesystem::create_directories(dir.path() + "/logs");
  REQUIRE(svc->create_container(config).ok());
  REQUIRE(svc->start_container("in-sandbox").ok());
  REQUIRE(eventually([&] { return state_of(*svc, "in-sandbox") == runtime::ContainerStateKind::kExited; },
                     std::chrono::seconds(60)));
  REQUIRE(svc->remove_container("in-sandbox").ok());  // the shim closes the pipes, SIGTERMs the logger

  const std::string out = read_log(config.log_path, runtime::logs::Stream::kStdout);
  const std::string err = read_log(config.log_path, runtime::logs::Stream::kStderr);
  std::string expected_head = "e2e-pod\nnodeagent-pause\nunknown\nnet:[" +
                              std::to_string(sbx::namespace_inode(sandbox->netns_path)) + "]\n";
  CHECK(out.substr(0, expected_head.size()) == expected_head);
  std::string expected_out = expected_head, expected_err;
  for (int i = 0; i < kLines; ++i) {
    expected_out += "out-" + std::to_string(i) + "\n";
    expected_err += "err-" + std::to_string(i) + "\n";
  }
  expected_out += std::string(40000, 'x') + "\n";  // cut in 16 KiB records by the logger, joined by the reader
  CHECK(out.size() == expected_out.size());
  CHECK(out == expected_out);
  CHECK(err == expected_err);

  // The raw file holds the long line as P, P, F records.
  std::ifstream raw(config.log_path);
  int partial = 0;
  for (std::string line; std::getline(raw, line);) partial += line.find(" stdout P ") != std::string::npos;
  CHECK(partial == 2);

  REQUIRE(sandboxes.remove_sandbox("e2e-uid").ok());
  CHECK(sbx::mounts_under(dir.path())->empty());
  // The holder was reparented to init; wait for init to reap it (the suite's leak check counts
  // zombies too).
  const std::string proc = "/proc/" + std::to_string(sandbox->holder_pid);
  for (int i = 0; i < 1000 && ::access(proc.c_str(), F_OK) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(::access(proc.c_str(), F_OK) != 0);
}
