// hostPath volumes: the type checks with kubelet's messages (pkg/volume/hostpath checkType), on a
// temp dir. Operators and scripts match these texts.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <cstdio>
#include <unistd.h>

#include <fstream>

#include "test/support/temp_dir.h"
#include "volumes/manager/volume_manager.h"

using nodeagent::testing::TempDir;

namespace {

nodeagent::kube::Pod pod_with_host_path(const std::string& path, const std::string& type) {
  nodeagent::kube::Pod pod;
  pod.metadata.uid = "uid-1";
  nodeagent::kube::Volume v;
  v.name = "host";
  v.host_path = nodeagent::kube::HostPathVolumeSource{path, type};
  pod.spec.volumes.push_back(v);
  return pod;
}

std::string setup_error(const TempDir& root, const std::string& path, const std::string& type) {
  nodeagent::volumes::LocalVolumeManager volumes(root.path(), nullptr);
  auto pod = pod_with_host_path(path, type);
  auto status = volumes.setup_pod_volumes(pod, {});
  return status.ok() ? "" : status.error().message;
}

}  // namespace

TEST_CASE("hostPath type checks fail with kubelet's words") {
  TempDir dir("na-hostpath");
  const std::string missing = dir.file("missing");
  const std::string file = dir.file("file");
  std::ofstream(file) << "x";

  CHECK(setup_error(dir, missing, "Directory") == "hostPath type check failed: " + missing + " is not a directory");
  CHECK(setup_error(dir, file, "Directory") == "hostPath type check failed: " + file + " is not a directory");
  CHECK(setup_error(dir, missing, "File") == "hostPath type check failed: " + missing + " is not a file");
  CHECK(setup_error(dir, dir.path(), "File") == "hostPath type check failed: " + dir.path() + " is not a file");
  CHECK(setup_error(dir, file, "Socket") == "hostPath type check failed: " + file + " is not a socket file");
  CHECK(setup_error(dir, file, "CharDevice") == "hostPath type check failed: " + file + " is not a character device");
  CHECK(setup_error(dir, "/dev/null", "BlockDevice") == "hostPath type check failed: /dev/null is not a block device");
  CHECK(setup_error(dir, dir.path(), "FileOrCreate") == "hostPath type check failed: " + dir.path() + " is not a file");
  CHECK(setup_error(dir, file, "DirectoryOrCreate") == "hostPath type check failed: " + file + " is not a directory");
}

TEST_CASE("hostPath types that hold pass, and the OrCreate types create") {
  TempDir dir("na-hostpath");
  const std::string sock = dir.file("sock");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

  CHECK(setup_error(dir, dir.path(), "Directory").empty());
  CHECK(setup_error(dir, sock, "Socket").empty());
  CHECK(setup_error(dir, "/dev/null", "CharDevice").empty());
  CHECK(setup_error(dir, dir.file("anything"), "").empty());  // no type: no check
  CHECK(setup_error(dir, dir.file("made/dir"), "DirectoryOrCreate").empty());
  CHECK(std::filesystem::is_directory(dir.file("made/dir")));
  CHECK(setup_error(dir, dir.file("made/file"), "FileOrCreate").empty());
  CHECK(std::filesystem::is_regular_file(dir.file("made/file")));
  ::close(fd);
}
