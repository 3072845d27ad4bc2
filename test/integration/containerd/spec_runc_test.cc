// The OCI spec builder's output as runc really applies it: capabilities, users and groups,
// read-only rootfs, masked and read-only /proc paths, sysctls, cgroup limits, default mounts.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "test/integration/containerd/test_helpers.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::testing;

namespace {

// Runs `script` with sh -c in the container; returns stdout, failing the test on a bad exit.
std::string sh(runtime::ContainerService& svc, const std::string& id, const std::string& script) {
  auto r = svc.exec_sync(id, {"/bin/sh", "-c", script}, std::chrono::seconds(10));
  REQUIRE(r.ok());
  INFO(script << " → stderr: " << r->stderr_data);
  CHECK(r->exit_code == 0);
  return r->stdout_data;
}

struct Started {
  std::unique_ptr<runtime::ctd::ContainerdContainerService>& svc;
  std::string id;
  Started(std::unique_ptr<runtime::ctd::ContainerdContainerService>& s, const runtime::ContainerConfig& c) : svc(s), id(c.id) {
    Status created = svc->create_container(c);
    INFO((created.ok() ? "" : created.error().message));
    REQUIRE(created.ok());
    auto pid = svc->start_container(c.id);
    INFO((pid.ok() ? "" : pid.error().message));
    REQUIRE(pid.ok());
  }
  ~Started() { (void)svc->remove_container(id); }
};

}  // namespace

TEST_CASE("runc applies default capabilities, masks and read-only paths", "[containerd][integration][oci]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  Started c(svc, busybox_config(ns, image, "defaults", {"/bin/sleep", "1000"}));

  // Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
  // NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
  CHECK(sh(*svc, "defaults", "grep CapEff /proc/self/status") == "CapEff:\t00000000a80425fb\n");
  CHECK(sh(*svc, "defaults", "grep CapBnd /proc/self/status") == "CapBnd:\t00000000a80425fb\n");
  CHECK(sh(*svc, "defaults", "id") == "uid=0(root) gid=0(root) groups=0(root)\n");
  // Masked paths are /dev/null binds (kcore, sched_debug, ... do not exist on every kernel).
  CHECK(sh(*svc, "defaults", "wc -c < /proc/keys") == "0\n");
  CHECK(sh(*svc, "defaults", "grep -c '^' /proc/keys || true") == "0\n");
  CHECK(sh(*svc, "defaults", "echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo writable || echo ro") == "ro\n");
  CHECK(sh(*svc, "defaults", "touch /sys/x 2>/dev/null && echo writable || echo ro") == "ro\n");
  std::string mounts = sh(*svc, "defaults", "cat /proc/mounts");
  for (const char* m : {" /proc proc ", " /dev tmpfs ", " /dev/pts devpts ", " /dev/shm tmpfs ", " /dev/mqueue mqueue ",
                        " /sys sysfs ro,", " /sys/fs/cgroup "}) {
    CHECK(mounts.find(m) != std::string::npos);
  }
  CHECK(sh(*svc, "defaults", "ulimit -n") == "1024\n");
  CHECK(sh(*svc, "defaults", "touch /rootfs-is-writable && echo ok") == "ok\n");
  // Default device rules: /dev/null works, a raw disk cannot be created and opened.
  CHECK(sh(*svc, "defaults", "echo x > /dev/null && echo ok") == "ok\n");
  CHECK(sh(*svc, "defaults", "mknod /tmp/sda b 8 0 && (head -c1 /tmp/sda >/dev/null 2>&1 && echo opened || echo denied)") ==
        "denied\n");
}

TEST_CASE("runc applies privileged, capability add/drop, users, read-only rootfs, sysctls", "[containerd][integration][oci]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);

  auto priv = busybox_config(ns, image, "priv", {"/bin/sleep", "1000"});
  priv.security.privileged = true;
  auto tuned = busybox_config(ns, image, "tuned", {"/bin/sleep", "1000"});
  tuned.security.capabilities_add = {"NET_ADMIN"};
  tuned.security.capabilities_drop = {"CAP_CHOWN", "kill"};
  tuned.security.read_only_rootfs = true;
  tuned.security.sysctls = {{"net.ipv4.ip_unprivileged_port_start", "80"}};
  auto user = busybox_config(ns, image, "user", {"/bin/sleep", "1000"});
  user.security.run_as_user = 1000;
  user.security.run_as_group = 2000;
  user.security.supplemental_groups = {3000};
  user.security.no_new_privileges = true;
  Started a(svc, priv), b(svc, tuned), u(svc, user);

  // Privileged gets what the agent holds (this test process's bounding set), as in containerd.
  std::string own_bounding = run_command("grep CapBnd /proc/self/status | cut -f2").output;
  CHECK(sh(*svc, "priv", "grep CapBnd /proc/self/status | cut -f2") == own_bounding);
  CHECK(sh(*svc, "priv", "grep CapEff /proc/self/status | cut -f2") == own_bounding);
  CHECK(sh(*svc, "priv", "wc -c < /proc/keys") != "0\n");
  CHECK(sh(*svc, "priv", "touch /sys/x 2>/dev/null; mount | grep ' /sys ' | grep -c '(rw'") == "1\n");
  // NET_ADMIN (bit 12) added; CHOWN (0) and KILL (5) dropped: 0xa80425fb + 0x1000 - 0x21.
  CHECK(sh(*svc, "tuned", "grep CapEff /proc/self/status") == "CapEff:\t00000000a80435da\n");
  CHECK(sh(*svc, "tuned", "touch /x 2>/dev/null && echo writable || echo ro") == "ro\n");
  CHECK(sh(*svc, "tuned", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start") == "80\n");
  CHECK(sh(*svc, "user", "id -u; id -g; id -G") == "1000\n2000\n2000 3000\n");
  CHECK(sh(*svc, "user", "grep NoNewPrivs /proc/self/status") == "NoNewPrivs:\t1\n");
}

TEST_CASE("cgroup limits land in the container's cgroup (cgroupfs paths)", "[containerd][integration][oci]") {
  ContainerdNamespace ns;
  auto image = ns.import_test_image();
  auto svc = make_service(ns);
  auto config = busybox_config(ns, image, "limited", {"/bin/sleep", "1000"});
  config.resources.cpu_shares = 512;
  config.resources.cpu_quota = 50000;
  config.resources.cpu_period = 100000;
  config.resources.memory_limit_bytes = 64 << 20;
  config.resources.oom_score_adj = 500;
  Started c(svc, config);

  const std::string path = config.resources.cgroups_path;
  bool v2 = std::ifstream("/sys/fs/cgroup/cgroup.controllers").good();
  if (v2) {
    CHECK(slurp("/sys/fs/cgroup" + path + "/memory.max") == fmt::format("{}\n", 64 << 20));
    CHECK(slurp("/sys/fs/cgroup" + path + "/cpu.max") == "50000 100000\n");
  } else {
    CHECK(slurp("/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes") == fmt::format("{}\n", 64 << 20));
    CHECK(slurp("/sys/fs/cgroup/cpu" + path + "/cpu.shares") == "512\n");
    CHECK(slurp("/sys/fs/cgroup/cpu" + path + "/cpu.cfs_quota_us") == "50000\n");
    CHECK(slurp("/sys/fs/cgroup/cpu" + path + "/cpu.cfs_period_us") == "100000\n");
  }
  CHECK(sh(*svc, "limited", "cat /proc/1/oom_score_adj") == "500\n");
}
