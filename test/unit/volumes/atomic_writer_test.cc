// kubelet's AtomicWriter on a temp dir: the ..data layout, modes, fsGroup bits, no write when
// nothing changed, stale names removed, invalid paths refused, and the invariant that a reader
// resolving ..data once never sees two keys of different versions.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "test/support/temp_dir.h"
#include "volumes/atomic/atomic_writer.h"
#include "volumes/atomic/payload_path.h"

using namespace nodeagent;
using namespace nodeagent::volumes;
using nodeagent::testing::slurp;
using nodeagent::testing::TempDir;
namespace fs = std::filesystem;

namespace {

int mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

std::vector<std::string> version_dirs(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto n = e.path().filename().string();
    if (n.rfind("..", 0) == 0 && n != "..data" && e.is_directory() && !e.is_symlink()) out.push_back(n);
  }
  return out;
}

// A read through one resolution of ..data, as a consistent reader does; "" when the version
// vanished under it (then it retries).
std::string read_at(int dirfd, const char* name) {
  int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("the writer lays out ..data, a timestamped version and one link per top-level name") {
  TempDir dir("na-atomic");
  AtomicWriter w(dir.path(), "volume \"cfg\"");
  Payload p{{"a", {"alpha", 0644}}, {"sub/b", {"beta", 0600}}};
  auto wrote = w.write(p);
  REQUIRE(wrote.ok());
  CHECK(*wrote);

  auto data = fs::read_symlink(dir.file("..data"));
  CHECK(data.string().rfind("..", 0) == 0);
  CHECK(data.string().size() == std::string("..2026_12_02_07_48_17.XXXXXX").size());
  CHECK(fs::read_symlink(dir.file("a")) == "..data/a");
  CHECK(fs::read_symlink(dir.file("sub")) == "..data/sub");
  CHECK(slurp(dir.file("a")) == "alpha");
  CHECK(slurp(dir.file("sub/b")) == "beta");
  CHECK(mode_of(dir.file("a")) == 0644);
  CHECK(mode_of(dir.file("sub/b")) == 0600);
  CHECK(mode_of(dir.file("..data")) == 0755);  // walkable by any container user
  CHECK(version_dirs(dir.path()).size() == 1);
}

TEST_CASE("an unchanged payload writes nothing; a change swaps versions and drops stale names") {
  TempDir dir("na-atomic");
  AtomicWriter w(dir.path(), "volume \"cfg\"");
  Payload p{{"a", {"1", 0644}}, {"b", {"1", 0644}}};
  REQUIRE(*w.write(p));
  auto first = fs::read_symlink(dir.file("..data"));
  auto again = w.write(p);
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  CHECK(fs::read_symlink(dir.file("..data")) == first);

  // A mode change alone is a change.
  p["a"].mode = 0400;
  REQUIRE(*w.write(p));
  CHECK(mode_of(dir.file("a")) == 0400);

  Payload next{{"a", {"2", 0644}}, {"c", {"new", 0644}}};
  REQUIRE(*w.write(next));
  CHECK(fs::read_symlink(dir.file("..data")) != first);
  CHECK(slurp(dir.file("a")) == "2");
  CHECK(slurp(dir.file("c")) == "new");
  CHECK_FALSE(fs::exists(fs::symlink_status(dir.file("b"))));  // gone, link and all
  CHECK(version_dirs(dir.path()).size() == 1);                   // the old version removed

  // Tampering on disk is repaired by the next write.
  ::unlink(dir.file("c").c_str());
  REQUIRE(*w.write(next));
  CHECK(slurp(dir.file("c")) == "new");

  REQUIRE(*w.write({}));
  CHECK_FALSE(fs::exists(fs::symlink_status(dir.file("a"))));
  CHECK(fs::exists(fs::symlink_status(dir.file("..data"))));
}

TEST_CASE("fsGroup: files group-owned with group read, directories setgid") {
  if (::geteuid() != 0) {
    WARN("needs root for chown: skipped");
    return;
  }
  TempDir dir("na-atomic");
  AtomicWriter w(dir.path(), "volume \"cfg\"");
  VolumeOwnership own{1234};
  REQUIRE(*w.write({{"key", {"v", 0600}}, {"d/x", {"v", 0400}}}, own));
  struct stat st {};
  REQUIRE(::stat(dir.file("key").c_str(), &st) == 0);
  CHECK(st.st_gid == 1234);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(mode_of(dir.file("d/x")) == 0440);
  REQUIRE(::stat(dir.file("d").c_str(), &st) == 0);
  CHECK(st.st_gid == 1234);
  CHECK((st.st_mode & 02000) != 0);
  REQUIRE(::stat(dir.path().c_str(), &st) == 0);
  CHECK(st.st_gid == 1234);
  CHECK_FALSE(*w.write({{"key", {"v", 0600}}, {"d/x", {"v", 0400}}}, own));  // modes compared as applied
}

TEST_CASE("invalid paths are refused with kubelet's words and write nothing") {
  TempDir dir("na-atomic");
  AtomicWriter w(dir.path(), "volume \"cfg\"");
  auto st = w.write({{"../escape", {"x", 0644}}});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "volume \"cfg\": invalid path: must not contain '..': ../escape");
  CHECK(validate_payload_path("/abs").error().message == "invalid path: must be relative path: /abs");
  CHECK(validate_payload_path("").error().message == "invalid path: must not be empty: \"\"");
  CHECK(validate_payload_path("..data").error().message == "invalid path: must not start with '..': ..data");
  CHECK(validate_payload_path("a/../b").error().message == "invalid path: must not contain '..': a/../b");
  CHECK(validate_payload_path(std::string(256, 'x')).error().message ==
        "invalid path: filenames must be less than or equal to 255 characters");
  CHECK(validate_payload_path("a/b..c").ok());
  CHECK(clean_payload_path("a//b/./c") == "a/b/c");
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("a reader resolving ..data once never sees two keys of different versions") {
  TempDir dir("na-atomic");
  AtomicWriter w(dir.path(), "volume \"cfg\"");
  REQUIRE(*w.write({{"a", {"0", 0644}}, {"b", {"0", 0644}}}));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, mismatches{0};
  std::thread reader([&] {
    const std::string data = dir.file("..data");
    while (!done) {
      int fd = ::open(data.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) continue;
      auto a = read_at(fd, "a"), b = read_at(fd, "b");
      ::close(fd);
      if (a.empty() || b.empty()) continue;  // the version was removed mid-read: retry
      ++reads;
      if (a != b) ++mismatches;
    }
  });
  for (int i = 1; i <= 2000; ++i) {
    auto v = std::to_string(i);
    REQUIRE(w.write({{"a", {v, 0644}}, {"b", {v, 0644}}}).ok());
  }
  done = true;
  reader.join();
  CHECK(reads > 0);
  CHECK(mismatches == 0);
  CHECK(slurp(dir.file("a")) == "2000");
  CHECK(version_dirs(dir.path()).size() == 1);
}
