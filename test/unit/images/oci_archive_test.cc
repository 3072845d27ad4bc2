// Archive extraction must never write outside its directory, whatever the tar contains.
#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>

#include "runtime/images/oci_archive.h"

using namespace nodeagent::runtime::images;
using nodeagent::ErrorCode;
namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string name;
  std::string data;
  bool symlink = false;
};

// Writes a tar with libarchive so that names like "../x" are stored exactly as given.
void write_tar(const std::string& path, const std::vector<Entry>& entries) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    if (e.symlink) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.data.c_str());
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    }
    archive_entry_set_perm(entry, 0644);
    archive_write_header(a, entry);
    if (!e.symlink) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a layout archive extracts into the directory", "[images][archive]") {
  auto scratch = TempDir::create("na-archive-test-");
  REQUIRE(scratch.ok());
  auto out = TempDir::create("na-archive-out-");
  REQUIRE(out.ok());
  std::string tar = (scratch->path() / "ok.tar").string();
  write_tar(tar, {{"./oci-layout", "{}"}, {"./index.json", "{\"manifests\":[]}"}, {"blobs/sha256/abc", "blob"}});
  REQUIRE(extract_archive(tar, out->path()).ok());
  CHECK(slurp(out->path() / "index.json") == "{\"manifests\":[]}");
  CHECK(slurp(out->path() / "blobs/sha256/abc") == "blob");
}

TEST_CASE("traversal and absolute paths are refused; links are not created", "[images][archive]") {
  auto scratch = TempDir::create("na-archive-test-");
  REQUIRE(scratch.ok());
  for (const std::string bad : {"../escape", "blobs/../../escape", "/tmp/na-archive-absolute"}) {
    INFO(bad);
    auto out = TempDir::create("na-archive-out-");
    REQUIRE(out.ok());
    std::string tar = (scratch->path() / "bad.tar").string();
    write_tar(tar, {{bad, "evil"}});
    auto s = extract_archive(tar, out->path());
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalid);
    CHECK(s.error().message.find(bad) != std::string::npos);
    CHECK_FALSE(fs::exists(out->path().parent_path() / "escape"));
    CHECK_FALSE(fs::exists("/tmp/na-archive-absolute"));
  }

  auto out = TempDir::create("na-archive-out-");
  REQUIRE(out.ok());
  std::string tar = (scratch->path() / "link.tar").string();
  write_tar(tar, {{"blobs", "/etc", true}, {"blobs/passwd", "x"}});
  // The symlink is skipped, so "blobs/passwd" lands in a real directory inside `out`.
  REQUIRE(extract_archive(tar, out->path()).ok());
  CHECK_FALSE(fs::is_symlink(out->path() / "blobs"));
  CHECK(slurp(out->path() / "blobs/passwd") == "x");

  auto missing = extract_archive((scratch->path() / "nope.tar").string(), out->path());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}
