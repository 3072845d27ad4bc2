// Golden checks of the OCI spec fields runc depends on, for plain, privileged, host-namespace
// and joined-namespace containers.
#include <catch2/catch.hpp>

#include "runtime/oci/spec_builder.h"

using nlohmann::json;
using nodeagent::ErrorCode;
using namespace nodeagent::runtime;
using namespace nodeagent::runtime::oci;

namespace {

ContainerConfig basic_config() {
  ContainerConfig c;
  c.id = "c1";
  c.image_ref = "test/busybox:latest";
  c.args = {"/bin/sh", "-c", "echo hi"};
  c.env = {"FOO=bar"};
  c.hostname = "web-0";
  c.namespaces.network = "/run/netns/pod1";
  c.resources.cgroups_path = "/kubepods/pod1/c1";
  return c;
}

json find_mount(const json& spec, const std::string& dest) {
  for (const auto& m : spec["mounts"]) {
    if (m["destination"] == dest) return m;
  }
  return nullptr;
}

json find_ns(const json& spec, const std::string& type) {
  for (const auto& n : spec["linux"]["namespaces"]) {
    if (n["type"] == type) return n;
  }
  return nullptr;
}

Mount bind(const std::string& container_path, const std::string& host_path, const std::string& propagation = "",
           bool readonly = false) {
  Mount m;
  m.container_path = container_path;
  m.host_path = host_path;
  m.propagation = propagation;
  m.readonly = readonly;
  return m;
}

bool has_option(const json& mount, const std::string& opt) {
  for (const auto& o : mount["options"]) {
    if (o == opt) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("basic container spec has runc's essentials", "[oci]") {
  json spec = build_oci_spec(basic_config()).value();
  CHECK(spec["ociVersion"] == "1.0.2");
  CHECK(spec["root"] == json({{"path", "rootfs"}, {"readonly", false}}));
  CHECK(spec["hostname"] == "web-0");

  const json& p = spec["process"];
  CHECK(p["args"] == json({"/bin/sh", "-c", "echo hi"}));
  CHECK(p["env"] == json({kDefaultPathEnv, "FOO=bar"}));
  CHECK(p["cwd"] == "/");
  CHECK(p["terminal"] == false);
  CHECK(p["noNewPrivileges"] == false);
  CHECK(p["user"] == json({{"uid", 0}, {"gid", 0}, {"additionalGids", {0}}}));
  CHECK(p["rlimits"] == json::parse(R"([{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}])"));
  CHECK(p["capabilities"]["bounding"].size() == 14);
  CHECK(p["capabilities"]["effective"] == p["capabilities"]["bounding"]);
  CHECK(p["capabilities"]["permitted"] == p["capabilities"]["bounding"]);
  CHECK_FALSE(p.contains("oomScoreAdj"));

  CHECK(spec["linux"]["cgroupsPath"] == "/kubepods/pod1/c1");
  CHECK(spec["linux"]["maskedPaths"].size() == 11);
  CHECK(spec["linux"]["readonlyPaths"] ==
        json({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  const json& devices = spec["linux"]["resources"]["devices"];
  CHECK(devices[0] == json({{"allow", false}, {"access", "rwm"}}));
  CHECK(devices.size() == 13);
  CHECK_FALSE(spec["linux"]["resources"].contains("memory"));
  CHECK_FALSE(spec["linux"]["resources"].contains("cpu"));
}

TEST_CASE("default mounts in order, /sys and cgroup read-only", "[oci]") {
  json spec = build_oci_spec(basic_config()).value();
  std::vector<std::string> dests;
  for (const auto& m : spec["mounts"]) dests.push_back(m["destination"]);
  CHECK(dests == std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                                          "/sys/fs/cgroup"});
  CHECK(find_mount(spec, "/proc") ==
        json::parse(R"({"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]})"));
  CHECK(has_option(find_mount(spec, "/sys"), "ro"));
  CHECK(find_mount(spec, "/sys/fs/cgroup")["type"] == "cgroup");
  CHECK(has_option(find_mount(spec, "/sys/fs/cgroup"), "ro"));
  CHECK(find_mount(spec, "/dev/pts")["type"] == "devpts");
}

TEST_CASE("namespaces: new by default, joined by path, omitted for host", "[oci]") {
  ContainerConfig c = basic_config();
  c.namespaces.ipc = "/run/netns-ipc";
  json spec = build_oci_spec(c).value();
  CHECK(find_ns(spec, "network") == json({{"type", "network"}, {"path", "/run/netns/pod1"}}));
  CHECK(find_ns(spec, "ipc") == json({{"type", "ipc"}, {"path", "/run/netns-ipc"}}));
  CHECK(find_ns(spec, "pid") == json({{"type", "pid"}}));
  CHECK(find_ns(spec, "uts") == json({{"type", "uts"}}));
  CHECK(find_ns(spec, "mount") == json({{"type", "mount"}}));
  CHECK(find_ns(spec, "cgroup") == json({{"type", "cgroup"}}));

  c.namespaces = {};
  c.namespaces.host_network = true;
  c.namespaces.host_pid = true;
  c.namespaces.host_ipc = true;
  spec = build_oci_spec(c).value();
  CHECK(find_ns(spec, "network").is_null());
  CHECK(find_ns(spec, "pid").is_null());
  CHECK(find_ns(spec, "ipc").is_null());
  // host network implies host UTS, so runc must not be asked to set a hostname.
  CHECK(find_ns(spec, "uts").is_null());
  CHECK_FALSE(spec.contains("hostname"));
  CHECK(spec["linux"]["namespaces"].size() == 2);

  // The node's netns named by path (the agent's, when containerd lives elsewhere): joined.
  c.namespaces.network = "/proc/42/ns/net";
  spec = build_oci_spec(c).value();
  CHECK(find_ns(spec, "network") == json({{"type", "network"}, {"path", "/proc/42/ns/net"}}));
  CHECK(find_ns(spec, "uts").is_null());
}

TEST_CASE("privileged: all caps, no masked paths, all devices, writable sysfs", "[oci]") {
  ContainerConfig c = basic_config();
  c.security.privileged = true;
  json spec = build_oci_spec(c).value();
  CHECK(spec["process"]["capabilities"]["bounding"].size() == 41);
  CHECK(spec["linux"]["maskedPaths"].empty());
  CHECK(spec["linux"]["readonlyPaths"].empty());
  CHECK(spec["linux"]["resources"]["devices"] == json::parse(R"([{"allow":true,"access":"rwm"}])"));
  CHECK(has_option(find_mount(spec, "/sys"), "rw"));
  CHECK_FALSE(has_option(find_mount(spec, "/sys"), "ro"));
}

TEST_CASE("user, groups, resources, sysctls, oom score", "[oci]") {
  ContainerConfig c = basic_config();
  c.security.run_as_user = 1000;
  c.security.run_as_group = 3000;
  c.security.supplemental_groups = {4000, 3000};
  c.security.no_new_privileges = true;
  c.security.read_only_rootfs = true;
  c.security.sysctls = {{"net.ipv4.ip_unprivileged_port_start", "0"}};
  c.resources.cpu_shares = 512;
  c.resources.cpu_quota = 50000;
  c.resources.memory_limit_bytes = 64 << 20;
  c.resources.oom_score_adj = 999;
  c.working_dir = "/work";
  json spec = build_oci_spec(c).value();
  CHECK(spec["process"]["user"] == json({{"uid", 1000}, {"gid", 3000}, {"additionalGids", {3000, 4000}}}));
  CHECK(spec["process"]["noNewPrivileges"] == true);
  CHECK(spec["process"]["oomScoreAdj"] == 999);
  CHECK(spec["process"]["cwd"] == "/work");
  CHECK(spec["root"]["readonly"] == true);
  CHECK(spec["linux"]["sysctl"] == json({{"net.ipv4.ip_unprivileged_port_start", "0"}}));
  CHECK(spec["linux"]["resources"]["cpu"] == json({{"shares", 512}, {"quota", 50000}, {"period", 100000}}));
  CHECK(spec["linux"]["resources"]["memory"] == json({{"limit", 64 << 20}}));
}

TEST_CASE("image USER is used when runAsUser is not set", "[oci]") {
  ContainerConfig c = basic_config();
  c.image.config.user = "65534:65534";
  json spec = build_oci_spec(c).value();
  CHECK(spec["process"]["user"]["uid"] == 65534);
  CHECK(spec["process"]["user"]["gid"] == 65534);

  c.image.config.user = "nginx";
  auto named = build_oci_spec(c);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().code == ErrorCode::kInvalid);
  CHECK(named.error().message.find("container c1: image test/busybox:latest: config.User \"nginx\"") == 0);

  c.security.run_as_user = 0;  // explicit runAsUser makes the image user irrelevant
  CHECK(build_oci_spec(c).ok());
}

TEST_CASE("user mounts: bind options, propagation, depth order, replacing defaults", "[oci]") {
  ContainerConfig c = basic_config();
  c.mounts.push_back(bind("/data/sub", "/var/lib/x/sub", "", true));
  c.mounts.push_back(bind("/data", "/var/lib/x", "rslave"));
  c.mounts.push_back(bind("/dev/shm", "/run/pods/p1/shm"));
  Mount tmpfs = bind("/cache", "");
  tmpfs.type = "tmpfs";
  tmpfs.extra_options = {"size=1m"};
  c.mounts.push_back(tmpfs);
  json spec = build_oci_spec(c).value();

  std::vector<std::string> dests;
  for (const auto& m : spec["mounts"]) dests.push_back(m["destination"]);
  // /dev/shm from the config replaces the default one; user mounts are ordered by depth.
  CHECK(dests == std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
                                          "/data", "/cache", "/data/sub", "/dev/shm"});
  CHECK(find_mount(spec, "/data") ==
        json::parse(R"({"destination":"/data","type":"bind","source":"/var/lib/x","options":["rbind","rslave","rw"]})"));
  CHECK(find_mount(spec, "/data/sub")["options"] == json({"rbind", "rprivate", "ro"}));
  CHECK(find_mount(spec, "/cache") ==
        json::parse(R"({"destination":"/cache","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","rw","size=1m"]})"));
}

TEST_CASE("a Bidirectional (rshared) mount makes the container's root rshared; rro passes through", "[oci]") {
  ContainerConfig c = basic_config();
  c.mounts.push_back(bind("/data", "/var/lib/x", "rslave"));
  json spec = build_oci_spec(c).value();
  CHECK_FALSE(spec["linux"].contains("rootfsPropagation"));  // runc's default root is rslave

  Mount ro = bind("/ro", "/var/lib/ro", "", true);
  ro.extra_options = {"rro"};
  c.mounts.push_back(ro);
  c.mounts.push_back(bind("/shared", "/var/lib/y", "rshared"));
  spec = build_oci_spec(c).value();
  CHECK(spec["linux"]["rootfsPropagation"] == "rshared");
  CHECK(find_mount(spec, "/shared")["options"] == json({"rbind", "rshared", "rw"}));
  CHECK(find_mount(spec, "/ro")["options"] == json({"rbind", "rprivate", "ro", "rro"}));
}

TEST_CASE("invalid configs name container and field", "[oci]") {
  ContainerConfig c = basic_config();
  c.args.clear();
  auto r = build_oci_spec(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "container c1: args: must not be empty");

  c = basic_config();
  c.mounts.push_back(bind("data", "/x"));
  r = build_oci_spec(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "container c1: mounts[0].container_path \"data\": must be an absolute path");

  c = basic_config();
  c.mounts.push_back(bind("/data", "/x", "bogus"));
  r = build_oci_spec(c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("mounts[0].propagation") != std::string::npos);

  c = basic_config();
  c.working_dir = "relative";
  CHECK_FALSE(build_oci_spec(c).ok());
}

TEST_CASE("exec process inherits the container's user, env and caps", "[oci]") {
  ContainerConfig c = basic_config();
  c.security.run_as_user = 1000;
  c.tty = true;
  json spec = build_oci_spec(c).value();
  json p = exec_process_spec(spec, {"cat", "/etc/hostname"});
  CHECK(p["args"] == json({"cat", "/etc/hostname"}));
  CHECK(p["terminal"] == false);
  CHECK(p["user"]["uid"] == 1000);
  CHECK(p["env"] == spec["process"]["env"]);
  CHECK(p["capabilities"] == spec["process"]["capabilities"]);
}

TEST_CASE("volumeDevices: a device node in linux.devices and a cgroup rule allowing it", "[oci]") {
  auto c = basic_config();
  Device d;
  d.container_path = "/dev/xvda";
  d.host_path = "/dev/loop7";
  d.type = 'b';
  d.major = 7;
  d.minor = 7;
  d.permissions = "r";
  c.devices.push_back(d);
  auto spec = build_oci_spec(c, {});
  REQUIRE(spec.ok());
  CHECK((*spec)["linux"]["devices"] == json::parse(R"([{"path":"/dev/xvda","type":"b","major":7,"minor":7,
    "fileMode":432,"uid":0,"gid":0}])"));
  const json& rules = (*spec)["linux"]["resources"]["devices"];
  CHECK(rules.back() == json({{"allow", true}, {"type", "b"}, {"major", 7}, {"minor", 7}, {"access", "r"}}));
  // No devices, no linux.devices.
  auto plain = build_oci_spec(basic_config(), {});
  REQUIRE(plain.ok());
  CHECK_FALSE((*plain)["linux"].contains("devices"));
}
