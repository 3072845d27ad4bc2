// emptyDir plugin against the fake Mounter, on a temp dir: the 0777 directory, tmpfs for
// medium Memory with its size, fsGroup's setgid group, and teardown unmounting first.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test/fakes/fake_mounter.h"
#include "test/support/temp_dir.h"
#include "volumes/emptydir/empty_dir.h"
#include "volumes/emptydir/usage.h"

using namespace nodeagent;
using nodeagent::testing::TempDir;

namespace {

kube::Volume empty_dir(const std::string& medium = "", std::optional<kube::Quantity> size = std::nullopt) {
  kube::Volume v;
  v.name = "scratch";
  v.empty_dir = kube::EmptyDirVolumeSource{};
  v.empty_dir->medium = medium;
  v.empty_dir->size_limit = size;
  return v;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("emptyDir on disk: a 0777 directory, nothing mounted") {
  TempDir root("na-emptydir");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::EmptyDirPlugin plugin(mounter);
  auto dir = root.file("pods/u/volumes/kubernetes.io~empty-dir/scratch");
  CHECK(plugin.handles(empty_dir()));
  REQUIRE(plugin.set_up(kube::Pod{}, empty_dir(), dir, {}).ok());
  CHECK(std::filesystem::is_directory(dir));
  CHECK(mode_of(dir) == 0777);
  CHECK(mounter->calls().empty());
  CHECK(plugin.host_path(empty_dir(), dir) == dir);
}

TEST_CASE("emptyDir medium Memory mounts a tmpfs sized by sizeLimit, once") {
  TempDir root("na-emptydir");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::EmptyDirPlugin plugin(mounter);
  auto dir = root.file("mem");
  auto v = empty_dir("Memory", kube::parse_quantity("1Mi").value());
  REQUIRE(plugin.set_up(kube::Pod{}, v, dir, {}).ok());
  REQUIRE(plugin.set_up(kube::Pod{}, v, dir, {}).ok());  // idempotent: already mounted
  CHECK(mounter->calls() == std::vector<std::string>{"mount_tmpfs " + dir + " mode=0777,size=1048576"});

  REQUIRE(plugin.tear_down(dir).ok());
  CHECK(mounter->calls().back() == "unmount " + dir);
}

TEST_CASE("emptyDir medium Memory without sizeLimit, and mount failures name the volume") {
  TempDir root("na-emptydir");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::EmptyDirPlugin plugin(mounter);
  mounter->faults.fail("mount_tmpfs", errno_error("mount tmpfs at x", EPERM));
  auto st = plugin.set_up(kube::Pod{}, empty_dir("Memory"), root.file("mem"), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.rfind("volume \"scratch\": mount tmpfs at x", 0) == 0);
  REQUIRE(plugin.set_up(kube::Pod{}, empty_dir("Memory"), root.file("mem"), {}).ok());
  CHECK(mounter->calls().back() == "mount_tmpfs " + root.file("mem") + " mode=0777");
}

TEST_CASE("emptyDir refuses an unknown medium") {
  TempDir root("na-emptydir");
  volumes::EmptyDirPlugin plugin(std::make_shared<fakes::FakeMounter>());
  auto st = plugin.set_up(kube::Pod{}, empty_dir("HugePages"), root.file("x"), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "volume \"scratch\": emptyDir medium \"HugePages\" is not supported");
}

TEST_CASE("fsGroup makes the emptyDir group-owned and setgid") {
  TempDir root("na-emptydir");
  volumes::EmptyDirPlugin plugin(std::make_shared<fakes::FakeMounter>());
  kube::Pod pod;
  pod.spec.security_context = kube::PodSecurityContext{};
  // Our own group: chown to it works without root.
  pod.spec.security_context->fs_group = static_cast<int64_t>(::getgid());
  auto dir = root.file("grouped");
  REQUIRE(plugin.set_up(pod, empty_dir(), dir, {}).ok());
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK(st.st_gid == ::getgid());
  CHECK((st.st_mode & 07777) == 02777);
}

TEST_CASE("emptyDir teardown of a directory that is not mounted unmounts nothing") {
  TempDir root("na-emptydir");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::EmptyDirPlugin plugin(mounter);
  REQUIRE(plugin.tear_down(root.file("plain")).ok());
  CHECK(mounter->calls().empty());
}

TEST_CASE("a Memory emptyDir is sized as kubelet's calculateEmptyDirMemorySize") {
  constexpr int64_t kMi = 1024 * 1024;
  kube::Pod pod;
  pod.spec.containers.resize(2);
  const int64_t node = 4096 * kMi;
  auto no_limit = empty_dir("Memory");
  SECTION("node allocatable, with nothing else known") { CHECK(volumes::memory_empty_dir_size(pod, no_limit, node) == node); }
  SECTION("the pod's memory limit, when every container has one") {
    pod.spec.containers[0].resources.limits = {{"memory", kube::parse_quantity("64Mi").value()}};
    CHECK(volumes::memory_empty_dir_size(pod, no_limit, node) == node);  // one container has none
    pod.spec.containers[1].resources.limits = {{"memory", kube::parse_quantity("32Mi").value()}};
    CHECK(volumes::memory_empty_dir_size(pod, no_limit, node) == 96 * kMi);
    SECTION("and the volume's sizeLimit when smaller") {
      CHECK(volumes::memory_empty_dir_size(pod, empty_dir("Memory", kube::parse_quantity("8Mi").value()), node) == 8 * kMi);
      CHECK(volumes::memory_empty_dir_size(pod, empty_dir("Memory", kube::parse_quantity("1Gi").value()), node) == 96 * kMi);
    }
  }
  SECTION("the mount gets that size") {
    TempDir root("na-emptydir");
    auto mounter = std::make_shared<fakes::FakeMounter>();
    volumes::EmptyDirPlugin plugin(mounter);
    volumes::PodVolumeContext ctx;
    ctx.downward.node_allocatable_memory_bytes = node;
    REQUIRE(plugin.set_up(pod, no_limit, root.file("mem"), ctx).ok());
    CHECK(mounter->calls() == std::vector<std::string>{"mount_tmpfs " + root.file("mem") + " mode=0777,size=4294967296"});
  }
}

TEST_CASE("disk usage of an emptyDir counts allocated blocks, and the eviction message is kubelet's") {
  TempDir root("na-emptydir");
  auto dir = root.file("cache");
  std::filesystem::create_directories(dir + "/sub");
  const auto empty = volumes::disk_usage(dir).value();
  {
    std::ofstream out(dir + "/sub/blob", std::ios::binary);
    std::string mib(1024 * 1024, 'x');
    out << mib << mib;
  }
  CHECK(volumes::disk_usage(dir).value() >= empty + 2 * 1024 * 1024);
  CHECK_FALSE(volumes::disk_usage(root.file("missing")).ok());
  CHECK(volumes::empty_dir_eviction_message("cache", kube::parse_quantity("1Mi").value()) ==
        "Usage of EmptyDir volume \"cache\" exceeds the limit \"1Mi\". ");
}
