// remove_tree_unless_mounted: a tree with a mount point under it is refused whole, with the
// mount named; one without is removed; a real tmpfs under the tree is seen both in the mount
// table and as a change of device.
#include <catch2/catch.hpp>

#include <sys/mount.h>

#include <filesystem>
#include <fstream>

#include "test/support/temp_dir.h"
#include "util/remove_tree.h"

using namespace nodeagent;
using nodeagent::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// A mountinfo table with one mount at `mount_point`.
std::string mountinfo_with(const TempDir& dir, const std::string& mount_point) {
  auto path = dir.file("mountinfo");
  std::ofstream(path) << "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                      << "90 22 0:50 / " << mount_point << " rw,nosuid,nodev - tmpfs tmpfs rw\n";
  return path;
}

}  // namespace

TEST_CASE("a tree without mounts is removed; a missing one is fine") {
  TempDir dir("na-rmtree");
  const auto tree = fs::canonical(dir.path()).string() + "/pod";
  fs::create_directories(tree + "/volumes/a");
  std::ofstream(tree + "/volumes/a/file") << "x";
  REQUIRE(remove_tree_unless_mounted(tree, mountinfo_with(dir, "/elsewhere")).ok());
  CHECK_FALSE(fs::exists(tree));
  CHECK(remove_tree_unless_mounted(tree).ok());
}

TEST_CASE("a mount point under the tree keeps all of it, and the error names the mount") {
  TempDir dir("na-rmtree");
  const auto tree = fs::canonical(dir.path()).string() + "/pod";
  fs::create_directories(tree + "/volumes/data");
  std::ofstream(tree + "/keep") << "x";
  auto st = remove_tree_unless_mounted(tree, mountinfo_with(dir, tree + "/volumes/data"));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kFailedPrecondition);
  CHECK(st.error().message == tree + "/volumes/data is still mounted: not removed");
  CHECK(fs::exists(tree + "/keep"));
  // A sibling whose name only starts the same is not under the tree.
  CHECK(remove_tree_unless_mounted(tree, mountinfo_with(dir, tree + "-other")).ok());
}

TEST_CASE("a real tmpfs under the tree is refused; after the unmount the tree goes") {
  TempDir dir("na-rmtree");
  const auto tree = fs::canonical(dir.path()).string() + "/pod";
  const auto mnt = tree + "/volumes/mem";
  fs::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) {
    WARN("cannot mount a tmpfs here: skipped");
    return;
  }
  std::ofstream(mnt + "/inside") << "data";
  auto st = remove_tree_unless_mounted(tree);
  CHECK_FALSE(st.ok());
  CHECK(fs::exists(mnt + "/inside"));
  ::umount2(mnt.c_str(), MNT_DETACH);
  CHECK(remove_tree_unless_mounted(tree).ok());
  CHECK_FALSE(fs::exists(tree));
}
