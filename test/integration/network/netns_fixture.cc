#include "test/integration/network/netns_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace nodeagent::network::testing {

namespace fs = std::filesystem;
constexpr const char* kPrefix = "nanet";

std::string sh(const std::string& command, int* rc) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    if (rc) *rc = -1;
    return out;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string unique_name(const std::string& suffix) {
  return kPrefix + std::to_string(::getpid()) + "-" + suffix;
}

void remove_leftovers_of_dead_runs() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0) continue;
    const auto dash = name.find('-');
    if (dash == std::string::npos) continue;
    const std::string pid = name.substr(std::string(kPrefix).size(), dash - std::string(kPrefix).size());
    if (pid.empty() || fs::exists("/proc/" + pid)) continue;
    sh("ip netns del " + name + " 2>/dev/null");
  }
}

NamedNetns::NamedNetns(std::string name) : name_(std::move(name)) {
  sh("ip netns del " + name_ + " 2>/dev/null; ip netns add " + name_);
  sh("ip -n " + name_ + " link set lo up");
}

NamedNetns::~NamedNetns() { sh("ip netns del " + name_ + " 2>/dev/null"); }

std::string NamedNetns::exec(const std::string& command, int* rc) const {
  return sh("nsenter --net=" + path() + " " + command, rc);
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/na-net-it-XXXXXX";
  path_ = ::mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

HttpServer::HttpServer(const NamedNetns& netns, const std::string& body, int port) {
  std::ofstream(docroot_.path() + "/index.html") << body;
  const std::string ns_arg = "--net=" + netns.path();
  const std::string port_arg = std::to_string(port);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execlp("nsenter", "nsenter", ns_arg.c_str(), "busybox", "httpd", "-f", "-p", port_arg.c_str(), "-h",
             docroot_.path().c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until it listens, so the first request does not race its start.
  for (int i = 0; i < 100; ++i) {
    if (netns.exec("busybox netstat -ltn 2>/dev/null").find(":" + port_arg + " ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

HttpServer::~HttpServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string http_get(const NamedNetns& from, const std::string& ip, int port) {
  // curl, not busybox wget: the static busybox's wget crashes here.
  return from.exec("curl -s --noproxy '*' -m 3 http://" + ip + ":" + std::to_string(port) + "/index.html 2>/dev/null");
}

std::vector<std::string> links_with_prefix(const NamedNetns& netns, const std::string& prefix) {
  std::istringstream out(sh("ip -n " + netns.name() + " -o link show"));
  std::vector<std::string> names;
  std::string line;
  while (std::getline(out, line)) {
    // "12: vethabc@if2: <...>" -> "vethabc"
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string name = line.substr(colon + 2, line.find_first_of(":@", colon + 2) - colon - 2);
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  return names;
}

}  // namespace nodeagent::network::testing
