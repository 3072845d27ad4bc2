// exec_sync / exec_stream against a running busybox container: output, exit codes, timeouts,
// the container's environment, and no FIFOs left behind.
#include <filesystem>
#include <mutex>

#include "test/integration/containerd/test_helpers.h"

using namespace nodeagent;
using namespace nodeagent::testing;
using runtime::ContainerStateKind;

namespace {

struct RunningContainer {
  ContainerdNamespace ns;
  std::unique_ptr<runtime::ctd::ContainerdContainerService> svc;
  RunningContainer() {
    auto image = ns.import_test_image();
    svc = make_service(ns);
    auto config = busybox_config(ns, image, "target", {"/bin/sleep", "1000"});
    config.env.push_back("GREETING=hi there");
    REQUIRE(svc->create_container(config).ok());
    REQUIRE(svc->start_container("target").ok());
  }
};

size_t fifo_count() {
  size_t n = 0;
  std::error_code ec;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(ContainerdFixture::instance().fifo_dir(), ec)) ++n;
  return n;
}

}  // namespace

TEST_CASE("exec_sync returns stdout, stderr and the exit code", "[containerd][integration]") {
  RunningContainer c;
  auto r = c.svc->exec_sync("target", {"/bin/sh", "-c", "echo out; echo err >&2; echo $GREETING; exit 7"},
                            std::chrono::seconds(10));
  REQUIRE(r.ok());
  CHECK(r->exit_code == 7);
  CHECK(r->stdout_data == "out\nhi there\n");
  CHECK(r->stderr_data == "err\n");
  CHECK_FALSE(r->timed_out);

  auto ok = c.svc->exec_sync("target", {"hostname"}, std::chrono::seconds(10));
  REQUIRE(ok.ok());
  CHECK(ok->exit_code == 0);
  CHECK(ok->stdout_data == "target\n");
  CHECK(fifo_count() == 0);
}

TEST_CASE("exec_sync collects large output completely", "[containerd][integration]") {
  RunningContainer c;
  // 1 MiB through the FIFO: more than a pipe buffer, so the reader must keep up during the run.
  auto r = c.svc->exec_sync("target", {"/bin/sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x"},
                            std::chrono::seconds(20));
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  CHECK(r->stdout_data.size() == 1048576);
  CHECK(r->stdout_data.find_first_not_of('x') == std::string::npos);
}

TEST_CASE("exec_sync timeout kills the process and reports it", "[containerd][integration]") {
  RunningContainer c;
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.svc->exec_sync("target", {"/bin/sh", "-c", "echo started; sleep 30"}, std::chrono::milliseconds(500));
  auto took = std::chrono::steady_clock::now() - t0;
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->exit_code == 137);
  CHECK(r->stdout_data == "started\n");
  CHECK(took >= std::chrono::milliseconds(500));
  CHECK(took < std::chrono::seconds(5));
  // The sleep is gone from the container (only the container's own sleep 1000 is left).
  auto ps = c.svc->exec_sync("target", {"ps", "-o", "args"}, std::chrono::seconds(10));
  REQUIRE(ps.ok());
  CHECK(ps->stdout_data.find("sleep 30") == std::string::npos);
  CHECK(ps->stdout_data.find("sleep 1000") != std::string::npos);
  CHECK(c.svc->container_status("target")->state == ContainerStateKind::kRunning);
}

TEST_CASE("exec_stream delivers output as it comes", "[containerd][integration]") {
  RunningContainer c;
  std::mutex mu;
  std::vector<std::pair<bool, std::string>> chunks;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  auto code = c.svc->exec_stream("target", {"/bin/sh", "-c", "echo one; sleep 1; echo two >&2; exit 4"},
                                 [&](bool is_stderr, const std::string& chunk) {
                                   std::lock_guard<std::mutex> lock(mu);
                                   chunks.emplace_back(is_stderr, chunk);
                                   arrivals.push_back(std::chrono::steady_clock::now());
                                 });
  REQUIRE(code.ok());
  CHECK(*code == 4);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0] == std::make_pair(false, std::string("one\n")));
  CHECK(chunks[1] == std::make_pair(true, std::string("two\n")));
  // "one" arrived before the sleep was over, not at the end.
  CHECK(arrivals[1] - arrivals[0] >= std::chrono::milliseconds(800));
}

TEST_CASE("exec errors name the container", "[containerd][integration]") {
  RunningContainer c;
  auto missing = c.svc->exec_sync("nope", {"true"}, std::chrono::seconds(5));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(missing.error().message.find("container nope") == 0);
  auto bad = c.svc->exec_sync("target", {"/does/not/exist"}, std::chrono::seconds(5));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("container target") == 0);
  CHECK(fifo_count() == 0);
}
