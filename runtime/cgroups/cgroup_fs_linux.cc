// CgroupFs over the real /sys/fs/cgroup (see cgroup_fs.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "runtime/cgroups/cgroup_fs.h"

namespace nodeagent::runtime::cgroups {
namespace {

class LinuxCgroupFs final : public CgroupFs {
 public:
  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status make_dir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return errno_error("create cgroup " + path, errno);
    return ok_status();
  }

  Status remove_dir(const std::string& path) override {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return ok_status();
    if (errno == EBUSY) return unavailable("remove cgroup " + path + ": busy");
    return errno_error("remove cgroup " + path, errno);
  }

  Status write_file(const std::string& path, const std::string& value) override {
    // One write() call: cgroup files take a value per write, not a stream.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open " + path, errno);
    const ssize_t n = ::write(fd, value.data(), value.size());
    const int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(value.size())) return errno_error("write '" + value + "' to " + path, err);
    return ok_status();
  }

  Result<std::string> read_file(const std::string& path) override {
    std::ifstream in(path);
    if (!in) return errno_error("read " + path, errno ? errno : ENOENT);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  Result<std::vector<std::string>> list_dirs(const std::string& path) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      std::error_code type_ec;
      if (entry.is_directory(type_ec)) names.push_back(entry.path().filename().string());
    }
    if (ec && ec != std::errc::no_such_file_or_directory) return internal("list " + path + ": " + ec.message());
    return names;
  }
};

}  // namespace

std::unique_ptr<CgroupFs> make_linux_cgroup_fs() { return std::make_unique<LinuxCgroupFs>(); }

}  // namespace nodeagent::runtime::cgroups
