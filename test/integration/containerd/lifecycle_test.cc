// Container lifecycle against a private containerd: create → start → exit with a code, status
// fields, stop with grace (handled and ignored SIGTERM), remove idempotence, nothing left behind,
// and stdout/stderr through a binary logger.
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "test/integration/containerd/test_helpers.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::testing;
using runtime::ContainerStateKind;

namespace {

runtime::Mount bind_mount(const std::string& container_path, const std::string& host_path) {
  runtime::Mount m;
  m.container_path = container_path;
  m.host_path = host_path;
  return m;
}

}  // namespace

TEST_CASE("container writes a file, exits with its code, status follows", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  TempDir out("na-ctdtest");

  auto config = busybox_config(ns, image, "writer", {"/bin/sh", "-c", "echo hello > /out/file; sleep 0.5; exit 3"});
  config.mounts.push_back(bind_mount("/out", out.path()));
  auto before = std::chrono::system_clock::now() - std::chrono::seconds(1);
  REQUIRE(svc->create_container(config).ok());

  auto created = svc->container_status("writer");
  REQUIRE(created.ok());
  CHECK(created->state == ContainerStateKind::kCreated);
  CHECK(created->image_ref == "test/busybox:latest");
  REQUIRE(created->created_at.has_value());
  CHECK(*created->created_at >= before);
  CHECK_FALSE(created->started_at.has_value());
  // Our own bookkeeping labels stay hidden.
  CHECK(created->labels == runtime::Labels{{"test", "containerd-integration"}});

  auto pid = svc->start_container("writer");
  REQUIRE(pid.ok());
  CHECK(*pid > 0);
  auto running = svc->container_status("writer");
  REQUIRE(running.ok());
  CHECK(running->state == ContainerStateKind::kRunning);
  CHECK(running->pid == *pid);
  REQUIRE(running->started_at.has_value());

  REQUIRE(eventually([&] { return state_of(*svc, "writer") == ContainerStateKind::kExited; }, std::chrono::seconds(10)));
  auto exited = svc->container_status("writer");
  REQUIRE(exited.ok());
  CHECK(exited->exit_code == 3);
  CHECK_FALSE(exited->oom_killed);
  REQUIRE(exited->finished_at.has_value());
  CHECK(*exited->finished_at >= *running->started_at);
  CHECK(slurp(out.path() + "/file") == "hello\n");

  REQUIRE(svc->remove_container("writer").ok());
  CHECK(ns.cleanup().empty());
}

TEST_CASE("create rejects a duplicate id and keeps the original", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  auto config = busybox_config(ns, image, "dup", {"/bin/true"});
  REQUIRE(svc->create_container(config).ok());
  Status again = svc->create_container(config);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kAlreadyExists);
  CHECK(svc->container_status("dup").ok());
  REQUIRE(svc->remove_container("dup").ok());
}

TEST_CASE("stop: handled SIGTERM exits at once; ignored SIGTERM is SIGKILLed after grace", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);

  // pid 1 ignores signals it has no handler for, so the trap is what makes SIGTERM count.
  auto polite = busybox_config(ns, image, "polite", {"/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"});
  auto stubborn = busybox_config(ns, image, "stubborn", {"/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"});
  REQUIRE(svc->create_container(polite).ok());
  REQUIRE(svc->create_container(stubborn).ok());
  REQUIRE(svc->start_container("polite").ok());
  REQUIRE(svc->start_container("stubborn").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let sh install its traps

  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(svc->stop_container("polite", SIGTERM, std::chrono::seconds(10)).ok());
  auto polite_took = std::chrono::steady_clock::now() - t0;
  CHECK(polite_took < std::chrono::seconds(3));
  auto polite_state = svc->container_status("polite");
  REQUIRE(polite_state.ok());
  CHECK(polite_state->state == ContainerStateKind::kExited);
  CHECK(polite_state->exit_code == 0);

  t0 = std::chrono::steady_clock::now();
  REQUIRE(svc->stop_container("stubborn", SIGTERM, std::chrono::seconds(2)).ok());
  auto stubborn_took = std::chrono::steady_clock::now() - t0;
  CHECK(stubborn_took >= std::chrono::seconds(2));
  CHECK(stubborn_took < std::chrono::seconds(8));
  auto stubborn_state = svc->container_status("stubborn");
  REQUIRE(stubborn_state.ok());
  CHECK(stubborn_state->state == ContainerStateKind::kExited);
  CHECK(stubborn_state->exit_code == 137);

  // Stopping what has already exited is not an error.
  CHECK(svc->stop_container("stubborn", SIGTERM, std::chrono::seconds(1)).ok());
  REQUIRE(svc->remove_container("polite").ok());
  REQUIRE(svc->remove_container("stubborn").ok());
}

TEST_CASE("stop_containers: all signalled at once, one shared grace period, the stubborn SIGKILLed", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  const char* ignore_term = "trap '' TERM; while true; do sleep 0.1; done";
  for (const char* id : {"s1", "s2", "s3"}) {
    REQUIRE(svc->create_container(busybox_config(ns, image, id, {"/bin/sh", "-c", ignore_term})).ok());
    REQUIRE(svc->start_container(id).ok());
  }
  REQUIRE(svc->create_container(busybox_config(ns, image, "polite", {"/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"})).ok());
  REQUIRE(svc->start_container("polite").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let sh install its traps

  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(svc->stop_containers({{"s1", SIGTERM}, {"s2", SIGTERM}, {"polite", SIGTERM}, {"s3", SIGTERM}, {"never-existed", SIGTERM}},
                               std::chrono::seconds(2))
              .ok());  // one that does not exist is as good as stopped, as with stop_container
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= std::chrono::seconds(2));
  CHECK(took < std::chrono::seconds(5));  // one grace period for all, not 2 s each
  for (const char* id : {"s1", "s2", "s3"}) {
    auto st = svc->container_status(id);
    REQUIRE(st.ok());
    CHECK(st->state == ContainerStateKind::kExited);
    CHECK(st->exit_code == 137);
  }
  CHECK(svc->container_status("polite")->exit_code == 0);
  for (const char* id : {"s1", "s2", "s3", "polite"}) REQUIRE(svc->remove_container(id).ok());
}

TEST_CASE("remove is idempotent, kills a running task, and leaves nothing behind", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  auto config = busybox_config(ns, image, "sleeper", {"/bin/sleep", "1000"});
  REQUIRE(svc->create_container(config).ok());
  auto pid = svc->start_container("sleeper");
  REQUIRE(pid.ok());
  std::string rootfs_marker = "/sleeper/rootfs";

  REQUIRE(svc->remove_container("sleeper").ok());  // running: killed first
  CHECK(svc->remove_container("sleeper").ok());
  CHECK(svc->remove_container("never-existed").ok());
  auto gone = svc->container_status("sleeper");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ErrorCode::kNotFound);

  // The process, its rootfs mount, its snapshot, its shim and its cgroup are all gone.
  CHECK(::kill(static_cast<pid_t>(*pid), 0) != 0);
  CHECK(slurp("/proc/self/mountinfo").find(rootfs_marker) == std::string::npos);
  CHECK(run_command("ps -eo args | grep -v grep | grep -- '-id sleeper' | grep -c " + ns.name()).output == "0\n");
  struct stat st;
  CHECK(::stat(("/sys/fs/cgroup/memory/" + ns.name() + "/sleeper").c_str(), &st) != 0);
  auto listed = svc->list_containers({});
  REQUIRE(listed.ok());
  CHECK(listed->empty());
  auto snapshots = run_command(fmt::format("ctr --address {} -n {} snapshots ls", ContainerdFixture::instance().socket(), ns.name()));
  CHECK(snapshots.output.find("sleeper") == std::string::npos);
  CHECK(ns.cleanup().empty());
}

TEST_CASE("list_containers filters on labels", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  auto a = busybox_config(ns, image, "a", {"/bin/sleep", "1000"});
  a.labels = {{"io.kubernetes.pod.uid", "uid-1"}, {"role", "web"}};
  auto b = busybox_config(ns, image, "b", {"/bin/true"});
  b.labels = {{"io.kubernetes.pod.uid", "uid-2"}, {"role", "web"}};
  REQUIRE(svc->create_container(a).ok());
  REQUIRE(svc->create_container(b).ok());
  REQUIRE(svc->start_container("a").ok());

  auto web = svc->list_containers({{"role", "web"}});
  REQUIRE(web.ok());
  CHECK(web->size() == 2);
  auto pod1 = svc->list_containers({{"io.kubernetes.pod.uid", "uid-1"}, {"role", "web"}});
  REQUIRE(pod1.ok());
  REQUIRE(pod1->size() == 1);
  CHECK(pod1->front().id == "a");
  CHECK(pod1->front().state == ContainerStateKind::kRunning);
  CHECK(pod1->front().pid > 0);
  auto none = svc->list_containers({{"role", "db"}});
  REQUIRE(none.ok());
  CHECK(none->empty());
  REQUIRE(svc->remove_container("a").ok());
  REQUIRE(svc->remove_container("b").ok());
}

TEST_CASE("stdout and stderr go to the binary logger with path and limits", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  TempDir dir("na-ctdtest");
  // A stand-in for nodeagent-logger speaking containerd's binary logging protocol:
  // fd 3 = stdout, fd 4 = stderr, closing fd 5 says "ready".
  std::string logger = dir.path() + "/fake-logger";
  {
    std::ofstream script(logger);
    script << "#!/bin/sh\n"
              "while [ $# -gt 1 ]; do eval \"arg_$(echo $1 | tr - _)=\\$2\"; shift 2; done\n"
              "echo \"$arg_path $arg_max_size $arg_max_files $CONTAINER_ID\" > \"$arg_path.args\"\n"
              "exec 5>&-\n"
              "cat <&3 > \"$arg_path.out\" &\n"
              "cat <&4 > \"$arg_path.err\"\n"
              "wait\n";
  }
  ::chmod(logger.c_str(), 0755);
  auto svc = make_service(ns, logger);
  auto config = busybox_config(ns, image, "logged", {"/bin/sh", "-c", "echo to-out; echo to-err >&2"});
  config.log_path = dir.path() + "/logs/0 x.log";  // a space must survive the URI
  config.log_max_size_bytes = 12345;
  config.log_max_files = 3;
  std::filesystem::create_directories(dir.path() + "/logs");
  REQUIRE(svc->create_container(config).ok());
  REQUIRE(svc->start_container("logged").ok());
  REQUIRE(eventually([&] { return state_of(*svc, "logged") == ContainerStateKind::kExited; }, std::chrono::seconds(10)));
  REQUIRE(eventually([&] { return slurp(config.log_path + ".err") == "to-err\n"; }, std::chrono::seconds(5)));
  CHECK(slurp(config.log_path + ".out") == "to-out\n");
  CHECK(slurp(config.log_path + ".args") == config.log_path + " 12345 3 logged\n");
  REQUIRE(svc->remove_container("logged").ok());

  // With a terminal, both streams arrive on the logger's stdout as one console stream.
  auto tty = busybox_config(ns, image, "tty", {"/bin/sh", "-c", "[ -t 1 ] && echo is-a-tty"});
  tty.tty = true;
  tty.log_path = dir.path() + "/logs/tty.log";
  REQUIRE(svc->create_container(tty).ok());
  REQUIRE(svc->start_container("tty").ok());
  REQUIRE(eventually([&] { return state_of(*svc, "tty") == ContainerStateKind::kExited; }, std::chrono::seconds(10)));
  CHECK(svc->container_status("tty")->exit_code == 0);
  CHECK(eventually([&] { return slurp(tty.log_path + ".out") == "is-a-tty\r\n"; }, std::chrono::seconds(5)));
  REQUIRE(svc->remove_container("tty").ok());
}

TEST_CASE("create replaces a snapshot a crash left without its container", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  auto prepared = run_command(fmt::format("ctr --address {} -n {} snapshots prepare stale {}",
                                          ContainerdFixture::instance().socket(), ns.name(), image.chain_id));
  REQUIRE(prepared.exit_code == 0);
  auto config = busybox_config(ns, image, "stale", {"/bin/sh", "-c", "exit 0"});
  REQUIRE(svc->create_container(config).ok());
  REQUIRE(svc->start_container("stale").ok());
  REQUIRE(eventually([&] { return state_of(*svc, "stale") == ContainerStateKind::kExited; }, std::chrono::seconds(10)));
  CHECK(svc->container_status("stale")->exit_code == 0);
  REQUIRE(svc->remove_container("stale").ok());
}
