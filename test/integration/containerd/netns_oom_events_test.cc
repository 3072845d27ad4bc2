// Namespaces joined by path, OOM kills under a memory limit, and the task event stream.
#include <sys/stat.h>

#include <csignal>
#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "runtime/containerd/event_stream.h"
#include "test/integration/containerd/test_helpers.h"

using namespace nodeagent;
using namespace nodeagent::testing;
using runtime::ContainerEvent;
using runtime::ContainerEventKind;
using runtime::ContainerStateKind;

namespace {

// A named network namespace (ip netns add) with only loopback, deleted at scope end.
struct TestNetns {
  std::string name;
  std::string path;
  TestNetns() : name(fmt::format("natest-ctd-{}", ::getpid())), path("/run/netns/" + name) {
    (void)run_command("ip netns del " + name);  // a crashed earlier run with the same pid
    auto r = run_command("ip netns add " + name);
    REQUIRE(r.exit_code == 0);
  }
  ~TestNetns() { (void)run_command("ip netns del " + name); }
};

ino_t inode_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

}  // namespace

TEST_CASE("two containers join one network namespace by path", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  TestNetns netns;

  std::vector<uint32_t> pids;
  for (std::string id : {"net-a", "net-b"}) {
    auto config = busybox_config(ns, image, id, {"/bin/sleep", "1000"});
    config.namespaces.network = netns.path;
    REQUIRE(svc->create_container(config).ok());
    auto pid = svc->start_container(id);
    REQUIRE(pid.ok());
    pids.push_back(*pid);
  }
  ino_t want = inode_of(netns.path);
  REQUIRE(want != 0);
  CHECK(inode_of(fmt::format("/proc/{}/ns/net", pids[0])) == want);
  CHECK(inode_of(fmt::format("/proc/{}/ns/net", pids[1])) == want);
  CHECK(inode_of("/proc/self/ns/net") != want);
  // Each still has its own UTS namespace (hostname = id).
  auto host_a = svc->exec_sync("net-a", {"hostname"}, std::chrono::seconds(5));
  REQUIRE(host_a.ok());
  CHECK(host_a->stdout_data == "net-a\n");
  REQUIRE(svc->remove_container("net-a").ok());
  REQUIRE(svc->remove_container("net-b").ok());
}

TEST_CASE("a container over its memory limit is OOM-killed and reported so", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  auto config = busybox_config(ns, image, "hog", {"/bin/sh", "-c", "tail /dev/zero"});
  config.resources.memory_limit_bytes = 16 << 20;
  REQUIRE(svc->create_container(config).ok());
  REQUIRE(svc->start_container("hog").ok());
  REQUIRE(eventually([&] { return state_of(*svc, "hog") == ContainerStateKind::kExited; }, std::chrono::seconds(30)));
  auto st = svc->container_status("hog");
  REQUIRE(st.ok());
  CHECK(st->exit_code == 137);
  CHECK(st->oom_killed);

  auto fine = busybox_config(ns, image, "fine", {"/bin/true"});
  fine.resources.memory_limit_bytes = 16 << 20;
  REQUIRE(svc->create_container(fine).ok());
  REQUIRE(svc->start_container("fine").ok());
  REQUIRE(eventually([&] { return state_of(*svc, "fine") == ContainerStateKind::kExited; }, std::chrono::seconds(10)));
  CHECK_FALSE(svc->container_status("fine")->oom_killed);
  REQUIRE(svc->remove_container("hog").ok());
  REQUIRE(svc->remove_container("fine").ok());
}

TEST_CASE("event stream delivers start, exit (with code), oom and delete; not exec exits", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  std::mutex mu;
  std::vector<ContainerEvent> events;
  runtime::ctd::ContainerdEventStream stream(ns.connection());
  stream.start([&](const ContainerEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
  });
  auto count = [&](const std::string& id, ContainerEventKind kind) {
    std::lock_guard<std::mutex> lock(mu);
    return std::count_if(events.begin(), events.end(), [&](const ContainerEvent& e) { return e.container_id == id && e.kind == kind; });
  };
  auto find = [&](const std::string& id, ContainerEventKind kind) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& e : events) {
      if (e.container_id == id && e.kind == kind) return e;
    }
    return ContainerEvent{};
  };
  // The subscription is in place once a warm-up container's start is seen.
  auto warm = busybox_config(ns, image, "warm", {"/bin/sleep", "1000"});
  REQUIRE(svc->create_container(warm).ok());
  REQUIRE(svc->start_container("warm").ok());
  if (!eventually([&] { return count("warm", ContainerEventKind::kStarted) > 0; }, std::chrono::seconds(2))) {
    // Subscribed after the warm-up started: restart it.
    REQUIRE(svc->remove_container("warm").ok());
    REQUIRE(svc->create_container(warm).ok());
    REQUIRE(svc->start_container("warm").ok());
    REQUIRE(eventually([&] { return count("warm", ContainerEventKind::kStarted) > 0; }, std::chrono::seconds(5)));
  }

  auto exec = svc->exec_sync("warm", {"/bin/sh", "-c", "exit 9"}, std::chrono::seconds(5));
  REQUIRE(exec.ok());
  CHECK(exec->exit_code == 9);

  auto quitter = busybox_config(ns, image, "quitter", {"/bin/sh", "-c", "exit 5"});
  REQUIRE(svc->create_container(quitter).ok());
  auto pid = svc->start_container("quitter");
  REQUIRE(pid.ok());
  REQUIRE(eventually([&] { return count("quitter", ContainerEventKind::kExited) > 0; }, std::chrono::seconds(10)));
  auto exit_event = find("quitter", ContainerEventKind::kExited);
  CHECK(exit_event.exit_code == 5);
  CHECK(exit_event.pid == *pid);
  CHECK(exit_event.at.has_value());
  CHECK(count("quitter", ContainerEventKind::kStarted) == 1);

  auto hog = busybox_config(ns, image, "hog2", {"/bin/sh", "-c", "tail /dev/zero"});
  hog.resources.memory_limit_bytes = 16 << 20;
  REQUIRE(svc->create_container(hog).ok());
  REQUIRE(svc->start_container("hog2").ok());
  CHECK(eventually([&] { return count("hog2", ContainerEventKind::kOOM) > 0; }, std::chrono::seconds(30)));

  REQUIRE(svc->remove_container("quitter").ok());
  CHECK(eventually([&] { return count("quitter", ContainerEventKind::kDeleted) > 0; }, std::chrono::seconds(5)));
  // The exec's exit (code 9, exec id != container id) did not show up as the container's exit.
  CHECK(count("warm", ContainerEventKind::kExited) == 0);
  stream.stop();
  stream.stop();  // idempotent
  REQUIRE(svc->remove_container("warm").ok());
  REQUIRE(svc->remove_container("hog2").ok());
}

TEST_CASE("event stream resubscribes after a containerd restart; running containers survive", "[containerd][integration]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  std::mutex mu;
  std::vector<ContainerEvent> events;
  runtime::ctd::EventStreamOptions fast;
  fast.min_backoff = std::chrono::milliseconds(50);
  fast.max_backoff = std::chrono::milliseconds(400);
  runtime::ctd::ContainerdEventStream stream(ns.connection(), fast);
  stream.start([&](const ContainerEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
  });
  auto seen = [&](const std::string& id, ContainerEventKind kind) {
    std::lock_guard<std::mutex> lock(mu);
    return std::any_of(events.begin(), events.end(), [&](const ContainerEvent& e) { return e.container_id == id && e.kind == kind; });
  };
  REQUIRE(eventually([&] { return stream.subscriptions() >= 1; }, std::chrono::seconds(5)));

  auto survivor = busybox_config(ns, image, "survivor", {"/bin/sleep", "1000"});
  REQUIRE(svc->create_container(survivor).ok());
  auto pid = svc->start_container("survivor");
  REQUIRE(pid.ok());

  int before = stream.subscriptions();
  ContainerdFixture::instance().restart();
  REQUIRE(eventually([&] { return stream.subscriptions() > before; }, std::chrono::seconds(10)));
  // Give the new subscription a moment to register on the server side.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // The container kept running through the restart, and the service still reaches containerd.
  auto st = svc->container_status("survivor");
  REQUIRE(st.ok());
  CHECK(st->state == ContainerStateKind::kRunning);
  CHECK(st->pid == *pid);

  auto after = busybox_config(ns, image, "after-restart", {"/bin/sh", "-c", "exit 2"});
  REQUIRE(svc->create_container(after).ok());
  REQUIRE(svc->start_container("after-restart").ok());
  CHECK(eventually([&] { return seen("after-restart", ContainerEventKind::kExited); }, std::chrono::seconds(10)));
  stream.stop();
  REQUIRE(svc->remove_container("survivor").ok());
  REQUIRE(svc->remove_container("after-restart").ok());
}
