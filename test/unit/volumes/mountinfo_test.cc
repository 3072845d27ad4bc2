// LinuxMounter's reading of /proc/self/mountinfo: the mount point field with octal escapes.
#include <catch2/catch.hpp>

#include "volumes/mount/linux_mounter.h"

using nodeagent::volumes::mountinfo_mount_point;

TEST_CASE("mountinfo lines give their mount point, unescaped") {
  CHECK(mountinfo_mount_point("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw") == "/mnt2");
  CHECK(mountinfo_mount_point("36 35 0:44 / /var/lib/a\\040b rw - tmpfs tmpfs rw") == "/var/lib/a b");
  CHECK(mountinfo_mount_point("short line").empty());
}

TEST_CASE("the root is mounted; a fresh path is not") {
  nodeagent::volumes::LinuxMounter mounter;
  auto root = mounter.is_mounted("/");
  REQUIRE(root.ok());
  CHECK(*root);
  auto other = mounter.is_mounted("/no/such/mount/point");
  REQUIRE(other.ok());
  CHECK_FALSE(*other);
}
