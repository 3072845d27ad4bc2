// A temporary directory removed at the end of the test, even when it fails: the one helper every
// unit and integration test uses (mkdtemp under $TMPDIR, "<prefix>-XXXXXX").
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace nodeagent::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "na-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    char* made = ::mkdtemp(tmpl.data());
    path_ = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // A path inside the directory: `dir / "pods" / "uid" / "status.json"`.
  std::filesystem::path operator/(const std::filesystem::path& relative) const {
    return std::filesystem::path(path_) / relative;
  }
  // Creates or replaces the file `name` in the directory with `text`.
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary | std::ios::trunc) << text;
  }

 private:
  std::string path_;
};

// The whole file, bytes as they are ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

inline void append_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

}  // namespace nodeagent::testing
