// HostPathPlugin: the type checks of kubelet's hostpath plugin, with its messages.
#include "volumes/hostpath/host_path.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace nodeagent::volumes {

namespace fs = std::filesystem;

Status check_host_path(const kube::HostPathVolumeSource& hp) {
  std::error_code ec;
  auto st = fs::status(hp.path, ec);
  const auto& t = hp.type;
  if (t.empty()) return ok_status();
  if (t == "DirectoryOrCreate") {
    if (!fs::exists(st)) {
      fs::create_directories(hp.path, ec);
      if (ec) return internal("hostPath " + hp.path + ": " + ec.message());
      ::chmod(hp.path.c_str(), 0755);
      return ok_status();
    }
    if (!fs::is_directory(st)) return invalid("hostPath type check failed: " + hp.path + " is not a directory");
    return ok_status();
  }
  if (t == "FileOrCreate") {
    if (!fs::exists(st)) {
      fs::create_directories(fs::path(hp.path).parent_path(), ec);
      std::ofstream(hp.path).close();
      ::chmod(hp.path.c_str(), 0644);
      return ok_status();
    }
    if (!fs::is_regular_file(st)) return invalid("hostPath type check failed: " + hp.path + " is not a file");
    return ok_status();
  }
  struct Check {
    const char* type;
    bool (*ok)(fs::file_status);
    const char* what;
  };
  static const Check checks[] = {
      {"Directory", [](fs::file_status s) { return fs::is_directory(s); }, "directory"},
      {"File", [](fs::file_status s) { return fs::is_regular_file(s); }, "file"},
      {"Socket", [](fs::file_status s) { return fs::is_socket(s); }, "socket file"},
      {"CharDevice", [](fs::file_status s) { return fs::is_character_file(s); }, "character device"},
      {"BlockDevice", [](fs::file_status s) { return fs::is_block_file(s); }, "block device"},
  };
  for (const auto& c : checks) {
    if (t != c.type) continue;
    if (!c.ok(st)) return invalid(fmt::format("hostPath type check failed: {} is not a {}", hp.path, c.what));
    return ok_status();
  }
  return invalid(t + " is an invalid volume type");  // kubelet's words; validation refuses it first
}

Status HostPathPlugin::set_up(const kube::Pod&, const kube::Volume& volume, const std::string&, const PodVolumeContext&) {
  return check_host_path(*volume.host_path);
}

}  // namespace nodeagent::volumes
