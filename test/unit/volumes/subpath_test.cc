// The subPath resolver against real directories and real symlinks in a temp dir: symlinks that
// stay inside the volume are followed, every way out (absolute targets, `..` above the root,
// /proc magic links) is refused, for openat2 and for the component-wise walk alike; missing
// directories are created beneath the volume only; the bind targets and their cleanup (through
// the fake mounter); subPathExpr expansion.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "test/fakes/fake_mounter.h"
#include "test/support/temp_dir.h"
#include "volumes/subpath/open_beneath.h"
#include "volumes/subpath/safe_open.h"
#include "volumes/subpath/sub_path_expr.h"
#include "volumes/subpath/sub_path_mounts.h"

using namespace nodeagent;
using namespace nodeagent::volumes::subpath;
using nodeagent::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// volume/ holds the volume; outside/ is "the host" next to it.
struct Layout {
  TempDir dir{"na-subpath"};
  std::string volume = dir.file("volume");
  std::string outside = dir.file("outside");
  Layout() {
    fs::create_directories(volume + "/a/b");
    fs::create_directories(outside + "/secret");
    std::ofstream(volume + "/a/file") << "in";
    std::ofstream(outside + "/host-file") << "host";
  }
  void link(const std::string& target, const std::string& name) const { fs::create_symlink(target, volume + "/" + name); }
};

std::vector<Resolver> resolvers() {
  std::vector<Resolver> r{Resolver::kWalk};
  if (openat2_available()) r.push_back(Resolver::kOpenat2);
  return r;
}

int open_errno(const Layout& l, const std::string& rel, Resolver how) {
  UniqueFd root(::open(l.volume.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(root.valid());
  return open_beneath(root.get(), rel, how).error;
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

ino_t inode_of(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("open_beneath follows symlinks only while they stay inside the volume") {
  for (Resolver how : resolvers()) {
    INFO("resolver " << (how == Resolver::kWalk ? "walk" : "openat2"));
    Layout l;
    l.link("a/b", "inside");            // relative, inside
    l.link("../file", "a/b/up");        // `..` that stays inside
    l.link("..data/key", "key");        // configMap style: key -> ..data/key
    fs::create_directories(l.volume + "/..2024/");
    std::ofstream(l.volume + "/..2024/key") << "v";
    l.link("..2024", "..data");
    l.link("/", "root");                 // the CVE: ln -s / x
    l.link(l.outside, "abs-outside");    // absolute, to a real host dir
    l.link("../outside", "rel-outside"); // relative, above the volume
    l.link("../../../outside", "a/b/deep-outside");
    l.link("loop2", "loop1");
    l.link("loop1", "loop2");

    CHECK(open_errno(l, "a/b", how) == 0);
    CHECK(open_errno(l, "inside", how) == 0);
    CHECK(open_errno(l, "a/b/up", how) == 0);
    CHECK(open_errno(l, "key", how) == 0);
    CHECK(open_errno(l, "", how) == 0);
    CHECK(open_errno(l, "root", how) == EXDEV);
    CHECK(open_errno(l, "root/etc", how) == EXDEV);
    CHECK(open_errno(l, "abs-outside", how) == EXDEV);
    CHECK(open_errno(l, "rel-outside/secret", how) == EXDEV);
    CHECK(open_errno(l, "a/b/deep-outside", how) == EXDEV);
    CHECK(open_errno(l, "loop1", how) == ELOOP);
    CHECK(open_errno(l, "a/file/x", how) == ENOTDIR);
    CHECK(open_errno(l, "missing", how) == ENOENT);

    // The fd is of the file the path names inside the volume.
    UniqueFd root(::open(l.volume.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto opened = open_beneath(root.get(), "a/b/up", how);
    REQUIRE(opened.error == 0);
    CHECK(inode_of(opened.fd.get()) == inode_of(l.volume + "/a/file"));
  }
}

TEST_CASE("open_beneath refuses /proc magic links") {
  for (Resolver how : resolvers()) {
    UniqueFd proc_self(::open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(proc_self.valid());
    CHECK(open_beneath(proc_self.get(), "root", how).error == ELOOP);
    CHECK(open_beneath(proc_self.get(), "cwd/x", how).error == ELOOP);
  }
}

TEST_CASE("safe_open_sub_path creates missing directories inside the volume, with the volume's mode") {
  for (Resolver how : resolvers()) {
    Layout l;
    const mode_t old_umask = ::umask(022);
    auto opened = safe_open_sub_path(l.volume, "a/new/deeper", 0777, how);
    ::umask(old_umask);
    REQUIRE(opened.ok());
    CHECK(fs::is_directory(l.volume + "/a/new/deeper"));
    CHECK((fs::status(l.volume + "/a/new/deeper").permissions() & fs::perms::all) == fs::perms::all);
    CHECK(inode_of(opened.fd.get()) == inode_of(l.volume + "/a/new/deeper"));

    // Existing: opened as is, nothing created; a file subPath is fine.
    auto file = safe_open_sub_path(l.volume, "a/file", 0777, how);
    REQUIRE(file.ok());
    CHECK(inode_of(file.fd.get()) == inode_of(l.volume + "/a/file"));
  }
}

TEST_CASE("safe_open_sub_path never creates anything through a symlink out of the volume") {
  for (Resolver how : resolvers()) {
    Layout l;
    l.link(l.outside, "abs");
    l.link("../outside", "rel");
    l.link("a/b", "inside");
    for (const char* sub : {"abs/made", "rel/made", "abs/secret/made", "rel/x/y/z"}) {
      INFO(sub);
      auto opened = safe_open_sub_path(l.volume, sub, 0777, how);
      CHECK_FALSE(opened.ok());
      CHECK(opened.failure.error == EXDEV);
    }
    CHECK_FALSE(fs::exists(l.outside + "/made"));
    CHECK_FALSE(fs::exists(l.outside + "/secret/made"));
    CHECK_FALSE(fs::exists(l.outside + "/x"));
    // Through a symlink that stays inside, creation is fine and lands inside.
    REQUIRE(safe_open_sub_path(l.volume, "inside/c", 0777, how).ok());
    CHECK(fs::is_directory(l.volume + "/a/b/c"));
  }
}

TEST_CASE("SubPathMounts binds the opened fd onto the container's target, of the subPath's kind") {
  Layout l;
  TempDir root("na-subpath-root");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  SubPathMounts mounts(root.path(), mounter);
  PodStateDir paths(root.path());

  auto dir_target = mounts.prepare({"uid-1", "data", l.volume, "app", 2, "x/y/z"});
  REQUIRE(dir_target.ok());
  CHECK(*dir_target == paths.volume_subpath_target("uid-1", "data", "app", 2));
  CHECK(*dir_target == root.path() + "/pods/uid-1/volume-subpaths/data/app/2");
  CHECK(fs::is_directory(*dir_target));
  CHECK(fs::is_directory(l.volume + "/x/y/z"));  // created on demand

  auto file_target = mounts.prepare({"uid-1", "data", l.volume, "app", 3, "a/file"});
  REQUIRE(file_target.ok());
  CHECK(fs::is_regular_file(*file_target));

  auto calls = mounter->calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].rfind("bind /proc/self/fd/", 0) == 0);
  CHECK(calls[0].find(" " + *dir_target + " rw") != std::string::npos);

  // Teardown: unmount, then remove; nothing of volume-subpaths remains, the volume is intact.
  REQUIRE(mounts.clean_pod("uid-1").ok());
  CHECK_FALSE(fs::exists(paths.volume_subpaths_dir("uid-1")));
  CHECK(fs::is_directory(l.volume + "/x/y/z"));
  CHECK(fs::exists(l.volume + "/a/file"));
  calls = mounter->calls();
  CHECK(std::count_if(calls.begin(), calls.end(), [](const std::string& c) { return c.rfind("unmount ", 0) == 0; }) == 2);
}

TEST_CASE("SubPathMounts refuses a subPath out of the volume, in the user's words, and mounts nothing") {
  Layout l;
  l.link("/", "x");
  TempDir root("na-subpath-root");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  SubPathMounts mounts(root.path(), mounter);
  struct stat before {};
  REQUIRE(::stat("/", &before) == 0);

  auto target = mounts.prepare({"uid-1", "data", l.volume, "app", 0, "x"});
  REQUIRE_FALSE(target.ok());
  CHECK(target.error().message ==
        "failed to prepare subPath for volumeMount \"data\" of container \"app\": subPath \"x\" is outside the volume "
        "(a symlink leads out of it)");
  CHECK(target.error().message.find(l.volume) == std::string::npos);  // no node paths for the user
  CHECK(mounter->calls().empty());
  auto nested = mounts.prepare({"uid-1", "data", l.volume, "app", 0, "x/tmp/made-by-agent"});
  REQUIRE_FALSE(nested.ok());
  CHECK_FALSE(fs::exists("/tmp/made-by-agent"));
  struct stat after {};
  REQUIRE(::stat("/", &after) == 0);
  CHECK(after.st_mode == before.st_mode);
}

TEST_CASE("SubPathMounts reuses a target that still holds the same file, and re-mounts one that does not") {
  Layout l;
  TempDir root("na-subpath-root");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  SubPathMounts mounts(root.path(), mounter);
  REQUIRE(mounts.prepare({"uid-1", "data", l.volume, "app", 0, "a"}).ok());
  // The fake mounts nothing: the target is an empty directory, not the subPath, so it is
  // unmounted and bound again (a real mount would be reused).
  REQUIRE(mounts.prepare({"uid-1", "data", l.volume, "app", 0, "a"}).ok());
  auto calls = mounter->calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[1].rfind("unmount ", 0) == 0);
  CHECK(calls[2].rfind("bind ", 0) == 0);
}

TEST_CASE("SubPathMounts never removes a target it could not unmount") {
  Layout l;
  TempDir root("na-subpath-root");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  SubPathMounts mounts(root.path(), mounter);
  auto target = mounts.prepare({"uid-1", "data", l.volume, "app", 0, "a"});
  REQUIRE(target.ok());
  mounter->faults.fail("unmount", internal("busy"));
  CHECK_FALSE(mounts.clean_pod("uid-1").ok());
  CHECK(fs::exists(*target));
  // After an agent restart the target is found again from the layout and the mount table.
  SubPathMounts restarted(root.path(), mounter);
  REQUIRE(restarted.clean_container("uid-1", "app").ok());
  CHECK_FALSE(fs::exists(*target));
  CHECK_FALSE(fs::exists(PodStateDir(root.path()).volume_subpaths_dir("uid-1")));
}

TEST_CASE("subPathExpr expands with the container's env and is checked again after expansion") {
  kube::VolumeMount m;
  m.name = "data";
  m.sub_path_expr = "logs/$(POD_NAME)";
  auto sub = resolve_sub_path(m, "app", {{"POD_NAME", "web-1"}});
  REQUIRE(sub.ok());
  CHECK(*sub == "logs/web-1");

  auto missing = resolve_sub_path(m, "app", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("missing value for POD_NAME") != std::string::npos);

  m.sub_path_expr = "$(P)";
  CHECK_FALSE(resolve_sub_path(m, "app", {{"P", "../etc"}}).ok());
  CHECK_FALSE(resolve_sub_path(m, "app", {{"P", "/etc"}}).ok());
  CHECK_FALSE(resolve_sub_path(m, "app", {{"P", "a/../../b"}}).ok());
  CHECK(*resolve_sub_path(m, "app", {{"P", "a..b"}}) == "a..b");

  kube::VolumeMount plain;
  plain.sub_path = "a/b";
  CHECK(*resolve_sub_path(plain, "app", {}) == "a/b");
  CHECK(resolve_sub_path(kube::VolumeMount{}, "app", {})->empty());
}
