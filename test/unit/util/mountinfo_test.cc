// parse_mountinfo: every field, optional fields, \ooo unescaping, malformed lines skipped.
#include <catch2/catch.hpp>

#include "util/mountinfo.h"

using namespace nodeagent;

TEST_CASE("unescape_mountinfo turns \\ooo back into bytes", "[mountinfo]") {
  CHECK(unescape_mountinfo("/mnt/with\\040space") == "/mnt/with space");
  CHECK(unescape_mountinfo("a\\011b\\012c\\134d") == "a\tb\nc\\d");
  CHECK(unescape_mountinfo("\\040") == " ");
  CHECK(unescape_mountinfo("trailing\\04") == "trailing\\04");  // too short: kept
  CHECK(unescape_mountinfo("\\999") == "\\999");                // not octal: kept
  CHECK(unescape_mountinfo("plain") == "plain");
}

TEST_CASE("parse_mountinfo reads every field", "[mountinfo]") {
  const std::string text =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
      "35 22 0:30 / /sys/fs/cgroup/cpu\\040set rw,nosuid - cgroup cgroup rw,cpuset\n"
      "garbage line\n"
      "40 22 0:5 /pods/a\\040b /var/lib/x\\040y rw master:2 shared:3 - tmpfs my\\040src rw\n";
  auto mounts = parse_mountinfo(text);
  REQUIRE(mounts.size() == 3);
  CHECK(mounts[0].mount_id == 22);
  CHECK(mounts[0].parent_id == 1);
  CHECK(mounts[0].major_minor == "8:1");
  CHECK(mounts[0].root == "/");
  CHECK(mounts[0].mount_point == "/");
  CHECK(mounts[0].mount_options == "rw,relatime");
  CHECK(mounts[0].optional_fields == std::vector<std::string>{"shared:1"});
  CHECK(mounts[0].fs_type == "ext4");
  CHECK(mounts[0].source == "/dev/sda1");
  CHECK(mounts[0].super_options == "rw,errors=remount-ro");
  CHECK(mounts[1].mount_point == "/sys/fs/cgroup/cpu set");
  CHECK(mounts[1].optional_fields.empty());
  CHECK(mounts[1].fs_type == "cgroup");
  CHECK(mounts[2].root == "/pods/a b");
  CHECK(mounts[2].mount_point == "/var/lib/x y");
  CHECK(mounts[2].optional_fields == std::vector<std::string>{"master:2", "shared:3"});
  CHECK(mounts[2].source == "my src");
}

TEST_CASE("parse_mountinfo skips lines without the separator or the fields after it", "[mountinfo]") {
  CHECK(parse_mountinfo("").empty());
  CHECK(parse_mountinfo("1 2 3:4 / /x rw shared:1 ext4 src rw\n").empty());  // no " - "
  CHECK(parse_mountinfo("1 2 3:4 / /x rw - ext4\n").empty());                // no source
  CHECK(parse_mountinfo("x 2 3:4 / /x rw - ext4 src rw\n").empty());          // id not a number
  CHECK(parse_mountinfo("1 2 3:4 / /x rw - ext4 src").size() == 1);          // no newline at the end
}

TEST_CASE("read_mountinfo reads this process's table", "[mountinfo]") {
  auto mounts = read_mountinfo();
  REQUIRE(mounts.ok());
  CHECK_FALSE(mounts->empty());
  CHECK(is_mount_point("/"));
  CHECK_FALSE(is_mount_point("/no/such/mount/point"));
  CHECK(is_mount_point("/proc"));
  CHECK_FALSE(is_mount_point("/proc/1"));     // a directory of the /proc mount
  CHECK_FALSE(is_mount_point("/proc/self"));  // a symlink: not followed
  CHECK(*mount_point_status("/proc") == true);
  CHECK_FALSE(read_mountinfo("/no/such/mountinfo").ok());
}
