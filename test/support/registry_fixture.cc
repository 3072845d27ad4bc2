// Process handling for the test registry: fork/exec with a death signal, readiness polling on
// /v2/, SIGTERM then SIGKILL on stop.
#include "test/support/registry_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace nodeagent::testing {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDirPrefix = "na-registry-";

// Runs a shell command; returns exit code and combined output.
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Removes registry dirs of earlier runs whose test process is gone.
void remove_stale_dirs() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kDirPrefix, 0) != 0) continue;
    std::ifstream owner(entry.path() / "owner.pid");
    int pid = 0;
    if (owner >> pid && pid > 0 && ::kill(pid, 0) == 0) continue;  // still in use
    fs::remove_all(entry.path(), ec);
  }
}

// True when something accepts TCP connections on 127.0.0.1:port.
bool answers_http(int port) {
  auto [code, out] = shell("curl -s -o /dev/null -w '%{http_code}' --max-time 1 http://127.0.0.1:" + std::to_string(port) + "/v2/");
  return code == 0 && out == "200";
}

}  // namespace

int unused_local_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind 127.0.0.1:0 failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

RegistryFixture::RegistryFixture() {
  remove_stale_dirs();
  std::string pattern = (fs::temp_directory_path() / (std::string(kDirPrefix) + "XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + " failed");
  dir_ = pattern;
  std::ofstream(dir_ + "/owner.pid") << ::getpid() << "\n";

  // A port can be taken between probing and binding; retry a few times.
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    port_ = unused_local_port();
    std::string config = dir_ + "/config.yml";
    std::ofstream(config) << "version: 0.1\n"
                          << "log:\n  level: warn\n"
                          << "storage:\n  filesystem:\n    rootdirectory: " << dir_ << "/data\n"
                          << "  delete:\n    enabled: true\n"
                          << "http:\n  addr: 127.0.0.1:" << port_ << "\n";
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int log = ::open((dir_ + "/registry.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
      }
      ::execlp("docker-registry", "docker-registry", "serve", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_ = pid;
    bool ready = false;
    for (int i = 0; i < 100 && !ready; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port clash or bad install
        pid_ = -1;
        break;
      }
      ready = answers_http(port_);
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!ready && pid_ > 0) stop();
  }
  if (pid_ < 0) {
    std::ifstream log(dir_ + "/registry.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    std::string d = dir_;
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error("docker-registry did not start (dir " + d + "): " + text);
  }
}

void RegistryFixture::push(const std::string& oci_archive, const std::string& repo_and_tag) const {
  auto [code, out] = shell("skopeo --insecure-policy copy --dest-tls-verify=false oci-archive:" + oci_archive +
                           " docker://" + host() + "/" + repo_and_tag);
  if (code != 0) throw std::runtime_error("skopeo copy to " + host() + "/" + repo_and_tag + ": " + out);
}

void RegistryFixture::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

RegistryFixture::~RegistryFixture() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace nodeagent::testing
