// write_file_atomically: content, mode despite the umask, no temp left behind, unchanged files
// skipped on request, failures leave the old file alone.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test/support/temp_dir.h"
#include "util/atomic_file.h"

using namespace nodeagent;
namespace fs = std::filesystem;
using nodeagent::testing::TempDir;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("writes the content with the requested mode and no temp file", "[atomic_file]") {
  TempDir dir("na-atomic");
  const fs::path file = dir / "status.json";
  const mode_t old_umask = ::umask(077);
  REQUIRE(write_file_atomically(file.string(), "one\n", AtomicWriteOptions{.mode = 0644}).ok());
  ::umask(old_umask);
  CHECK(read(file) == "one\n");
  CHECK(mode_of(file) == 0644);
  CHECK_FALSE(fs::exists(dir / "status.json.tmp"));

  REQUIRE(write_file_atomically(file.string(), "two\n").ok());
  CHECK(read(file) == "two\n");
  CHECK(mode_of(file) == 0600);  // the default
  REQUIRE(write_file_atomically(file.string(), "").ok());
  CHECK(read(file).empty());
}

TEST_CASE("skip_if_unchanged leaves an identical file alone", "[atomic_file]") {
  TempDir dir("na-atomic");
  const fs::path file = dir / "hosts";
  const AtomicWriteOptions options{.mode = 0644, .skip_if_unchanged = true};
  REQUIRE(write_file_atomically(file.string(), "127.0.0.1 localhost\n", options).ok());
  struct stat before {};
  REQUIRE(::stat(file.c_str(), &before) == 0);
  REQUIRE(write_file_atomically(file.string(), "127.0.0.1 localhost\n", options).ok());
  struct stat after {};
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);  // not replaced
  REQUIRE(write_file_atomically(file.string(), "::1 localhost\n", options).ok());
  CHECK(read(file) == "::1 localhost\n");
}

TEST_CASE("a failed write names the file and leaves the old one", "[atomic_file]") {
  TempDir dir("na-atomic");
  const fs::path file = dir / "missing-dir" / "f";
  auto status = write_file_atomically(file.string(), "x");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.find(file.string() + ".tmp") != std::string::npos);

  // Renaming over a directory fails: the temp file is removed, the directory stays.
  const fs::path target = dir / "a-dir";
  fs::create_directories(target / "child");
  REQUIRE_FALSE(write_file_atomically(target.string(), "x").ok());
  CHECK(fs::is_directory(target));
  CHECK_FALSE(fs::exists(dir / "a-dir.tmp"));
}
