// Unpacking an OCI image-layout tar archive (oci-layout, index.json, blobs/sha256/...) into a
// private temporary directory, with libarchive. Only regular files and directories are taken;
// absolute paths, "..", links and device nodes are refused, so an archive cannot write
// outside the directory.
#pragma once

#include <filesystem>
#include <string>

#include "util/result.h"

namespace nodeagent::runtime::images {

// A directory removed (recursively) when the object goes away.
class TempDir {
 public:
  static Result<TempDir> create(const std::string& prefix);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Extracts the tar at `archive` (optionally gzip-compressed) into `dir`.
Status extract_archive(const std::string& archive, const std::filesystem::path& dir);

}  // namespace nodeagent::runtime::images
