// Private containerd + per-test namespaces (see containerd_fixture.h). Test support code: it
// throws std::runtime_error when the environment cannot be set up, which Catch2 reports as a
// failed test with the message.
#include "test/support/containerd_fixture.h"

#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nodeagent::testing {
namespace fs = std::filesystem;
namespace api = runtime::ctd::api;
using runtime::ctd::Connection;

namespace {

constexpr const char* kDirPrefix = "/tmp/na-ctd-";
constexpr const char* kImageCacheDir = "/tmp/nodeagent-test-images";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << line << "\n";
}

bool process_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Pids of processes whose command line mentions `needle` (containerd and its shims).
std::vector<int> pids_mentioning(const std::string& needle) {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc", fs::directory_options::skip_permission_denied)) {
    const std::string name = entry.path().filename().string();
    if (!std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string cmdline = read_file(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    int pid = std::stoi(name);
    if (pid != ::getpid() && cmdline.find(needle) != std::string::npos) pids.push_back(pid);
  }
  return pids;
}

void kill_and_reap(const std::vector<int>& pids) {
  for (int pid : pids) ::kill(pid, SIGKILL);
  for (int pid : pids) {
    for (int i = 0; i < 100 && process_alive(pid); ++i) {
      ::waitpid(pid, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// Unmounts everything at or below `dir`, deepest first (mount points from mountinfo).
void unmount_below(const std::string& dir) {
  std::vector<std::string> points;
  std::istringstream in(read_file("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (mount_point.rfind(dir, 0) == 0) points.push_back(mount_point);
  }
  std::sort(points.begin(), points.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& p : points) ::umount2(p.c_str(), MNT_DETACH);
}

// Kills what is left in the cgroups named `name` directly under each hierarchy, then removes them.
std::string remove_cgroups(const std::string& name) {
  std::string problems;
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    fs::path top = hierarchy.path() / name;
    if (!fs::is_directory(top, ec)) continue;
    // Children before parents.
    std::vector<fs::path> dirs;
    for (auto it = fs::recursive_directory_iterator(top, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    dirs.push_back(top);
    std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) { return a.string().size() > b.string().size(); });
    for (const auto& d : dirs) {
      std::istringstream procs(read_file((d / "cgroup.procs").string()));
      int pid;
      std::vector<int> pids;
      while (procs >> pid) pids.push_back(pid);
      if (!pids.empty()) kill_and_reap(pids);
      if (::rmdir(d.c_str()) != 0 && errno != ENOENT) problems += fmt::format("cgroup {} not removed ({}); ", d.string(), strerror(errno));
    }
  }
  return problems;
}

// Removes the temp dirs (and processes, mounts, cgroups) of earlier test processes that died.
void clean_leftovers() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
    std::string dir = entry.path().string();
    if (dir.rfind(kDirPrefix, 0) != 0) continue;
    if (!fs::exists(dir + "/owner.pid", ec)) continue;  // not ours, or still being set up
    int owner = std::atoi(read_file(dir + "/owner.pid").c_str());
    if (process_alive(owner)) continue;
    std::fprintf(stderr, "containerd fixture: cleaning leftovers of dead test process %d in %s\n", owner, dir.c_str());
    std::istringstream names(read_file(dir + "/namespaces.txt"));
    std::string ns;
    while (names >> ns) (void)remove_cgroups(ns);
    kill_and_reap(pids_mentioning(dir));
    unmount_below(dir);
    fs::remove_all(dir, ec);
  }
}

std::string default_containerd_config(const std::string& dir) {
  return fmt::format(R"(version = 2
root = "{0}/root"
state = "{0}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{0}/containerd.sock"

[ttrpc]
  address = "{0}/containerd.sock.ttrpc"

[debug]
  address = "{0}/debug.sock"
  level = "info"

[metrics]
  address = ""
)",
                     dir);
}

}  // namespace

CommandResult run_command(const std::string& shell_command) {
  CommandResult result;
  std::string cmd = shell_command + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ContainerdFixture& ContainerdFixture::instance() {
  static ContainerdFixture fixture;
  return fixture;
}

ContainerdFixture::ContainerdFixture() {
  clean_leftovers();
  char tmpl[] = "/tmp/na-ctd-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("containerd fixture: mkdtemp failed");
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0711);
  socket_ = dir_ + "/containerd.sock";
  { std::ofstream(dir_ + "/owner.pid") << ::getpid(); }
  { std::ofstream(dir_ + "/config.toml") << default_containerd_config(dir_); }
  fs::create_directories(fifo_dir());

  start_process();
}

void ContainerdFixture::start_process() {
  std::string log = dir_ + "/containerd.log";
  std::string config = dir_ + "/config.toml";
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("containerd fixture: fork failed");
  if (pid_ == 0) {
    // containerd dies with the test process; its shims are cleaned by the next run if need be.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    std::FILE* out = std::freopen(log.c_str(), "a", stdout);
    if (out) ::dup2(::fileno(stdout), STDERR_FILENO);
    ::setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    ::execlp("containerd", "containerd", "--config", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto conn = Connection::create({.address = socket_, .ns = "default"});
  Status ready = conn->wait_ready(std::chrono::seconds(30));
  if (!ready.ok()) {
    std::string tail = read_file(log);
    if (tail.size() > 4000) tail = tail.substr(tail.size() - 4000);
    stop();
    throw std::runtime_error("containerd fixture: " + ready.error().message + "\n" + tail);
  }
}

void ContainerdFixture::stop_process() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 250; ++i) {
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

void ContainerdFixture::restart() {
  stop_process();
  start_process();
}

ContainerdFixture::~ContainerdFixture() { stop(); }

void ContainerdFixture::stop() {
  if (dir_.empty()) return;
  std::istringstream names(read_file(dir_ + "/namespaces.txt"));
  std::string ns;
  while (names >> ns) (void)remove_cgroups(ns);
  // Shims outlive containerd by design: kill them (their cmdline names our socket).
  std::vector<int> shims;
  for (int pid : pids_mentioning(socket_)) {
    if (pid != pid_) shims.push_back(pid);
  }
  kill_and_reap(shims);
  stop_process();
  unmount_below(dir_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
  dir_.clear();
}

std::string ContainerdFixture::test_image_archive() {
  std::string out = std::string(kImageCacheDir) + "/busybox.tar";
  std::string script = std::string(NODEAGENT_SOURCE_DIR) + "/test/fixtures/images/build-test-image.sh";
  CommandResult r = run_command(script + " " + out);
  if (r.exit_code != 0) throw std::runtime_error("build-test-image.sh failed: " + r.output);
  return out;
}

std::string ContainerdFixture::agnhost_image_archive() {
  const std::string src = NODEAGENT_SOURCE_DIR;
  // The binary's path is the build script's last line of output (progress comes before it).
  CommandResult bin = run_command(src + "/scripts/controlplane/build-agnhost.sh");
  if (bin.exit_code != 0) throw std::runtime_error("build-agnhost.sh failed: " + bin.output);
  std::string path = bin.output;
  while (!path.empty() && path.back() == '\n') path.pop_back();
  path = path.substr(path.rfind('\n') + 1);
  std::string out = std::string(kImageCacheDir) + "/agnhost.tar";
  CommandResult r = run_command(src + "/test/fixtures/images/build-agnhost-image.sh " + out + " " + path);
  if (r.exit_code != 0) throw std::runtime_error("build-agnhost-image.sh failed: " + r.output);
  return out;
}

ContainerdNamespace::ContainerdNamespace(const std::string& prefix) {
  static std::atomic<int> counter{0};
  auto& fixture = ContainerdFixture::instance();
  name_ = fmt::format("{}-{}-{}", prefix, ::getpid(), counter++);
  append_line(fixture.dir() + "/namespaces.txt", name_);
  connection_ = Connection::create({.address = fixture.socket(), .ns = name_});
  api::namespaces::CreateNamespaceRequest req;
  req.mutable_namespace_()->set_name(name_);
  api::namespaces::CreateNamespaceResponse resp;
  auto ctx = connection_->context();
  grpc::Status s = connection_->namespaces().Create(ctx.get(), req, &resp);
  if (!s.ok()) throw std::runtime_error("create containerd namespace " + name_ + ": " + s.error_message());
}

ContainerdNamespace::~ContainerdNamespace() {
  std::string problems = cleanup();
  if (!problems.empty()) std::fprintf(stderr, "containerd namespace %s: cleanup: %s\n", name_.c_str(), problems.c_str());
}

runtime::ImageInfo ContainerdNamespace::import_test_image(const std::string& ref) {
  return import_image_archive(ContainerdFixture::test_image_archive(), ref);
}

runtime::ImageInfo ContainerdNamespace::import_image_archive(const std::string& archive, const std::string& ref) const {
  auto colon = ref.rfind(':');
  bool has_tag = colon != std::string::npos && ref.find('/', colon) == std::string::npos;
  std::string repo = has_tag ? ref.substr(0, colon) : ref;
  std::string tag = has_tag ? ref.substr(colon + 1) : "latest";
  std::string ctr = fmt::format("ctr --address {} -n {}", ContainerdFixture::instance().socket(), name_);
  CommandResult r = run_command(fmt::format("{} images import --base-name {} {}", ctr, repo, archive));
  if (r.exit_code != 0) throw std::runtime_error("ctr images import: " + r.output);
  if (tag != "latest") {
    r = run_command(fmt::format("{} images tag {}:latest {}", ctr, repo, ref));
    if (r.exit_code != 0) throw std::runtime_error("ctr images tag: " + r.output);
  }

  // Read index → manifest → config from the archive for chain id and image config.
  auto blob = [&archive](const std::string& digest) {
    std::string hex = digest.substr(digest.find(':') + 1);
    return nlohmann::json::parse(run_command(fmt::format("tar -xOf {} ./blobs/sha256/{}", archive, hex)).output);
  };
  auto index = nlohmann::json::parse(run_command(fmt::format("tar -xOf {} ./index.json", archive)).output);
  auto manifest = blob(index["manifests"][0]["digest"].get<std::string>());
  std::string config_digest = manifest["config"]["digest"];
  auto config = blob(config_digest);

  runtime::ImageInfo info;
  info.id = config_digest;
  info.repo_tags = {repo + ":" + tag};
  std::string chain;
  for (const auto& diff_id : config["rootfs"]["diff_ids"]) {
    if (chain.empty()) {
      chain = diff_id.get<std::string>();
    } else {
      // chain(n) = sha256(chain(n-1) + " " + diff_id(n))
      auto sum = run_command(fmt::format("printf '%s %s' {} {} | sha256sum", chain, diff_id.get<std::string>()));
      chain = "sha256:" + sum.output.substr(0, 64);
    }
  }
  info.chain_id = chain;
  const auto& c = config.value("config", nlohmann::json::object());
  info.config.cmd = c.value("Cmd", std::vector<std::string>{});
  info.config.entrypoint = c.value("Entrypoint", std::vector<std::string>{});
  info.config.env = c.value("Env", std::vector<std::string>{});
  info.config.working_dir = c.value("WorkingDir", std::string());
  info.config.user = c.value("User", std::string());
  return info;
}

std::string ContainerdNamespace::cleanup() {
  if (cleaned_) return "";
  cleaned_ = true;
  std::string problems;
  auto note = [&problems](const grpc::Status& s, const std::string& what) {
    if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND) problems += what + ": " + s.error_message() + "; ";
  };
  Connection& c = *connection_;

  {  // Tasks: SIGKILL everything, wait, delete.
    api::tasks::ListTasksRequest req;
    api::tasks::ListTasksResponse resp;
    auto ctx = c.context();
    note(c.tasks().List(ctx.get(), req, &resp), "list tasks");
    for (const auto& t : resp.tasks()) {
      api::tasks::KillRequest kill;
      kill.set_container_id(t.id());
      kill.set_signal(SIGKILL);
      kill.set_all(true);
      google::protobuf::Empty empty;
      auto kctx = c.context();
      c.tasks().Kill(kctx.get(), kill, &empty);
      api::tasks::WaitRequest wait;
      wait.set_container_id(t.id());
      api::tasks::WaitResponse wresp;
      auto wctx = c.context(std::chrono::seconds(10));
      c.tasks().Wait(wctx.get(), wait, &wresp);
      api::tasks::DeleteTaskRequest del;
      del.set_container_id(t.id());
      api::tasks::DeleteResponse dresp;
      auto dctx = c.context();
      note(c.tasks().Delete(dctx.get(), del, &dresp), "delete task " + t.id());
    }
  }
  {
    api::containers::ListContainersRequest req;
    api::containers::ListContainersResponse resp;
    auto ctx = c.context();
    note(c.containers().List(ctx.get(), req, &resp), "list containers");
    for (const auto& ct : resp.containers()) {
      api::containers::DeleteContainerRequest del;
      del.set_id(ct.id());
      google::protobuf::Empty empty;
      auto dctx = c.context();
      note(c.containers().Delete(dctx.get(), del, &empty), "delete container " + ct.id());
    }
  }
  {
    api::images::ListImagesRequest req;
    api::images::ListImagesResponse resp;
    auto ctx = c.context();
    note(c.images().List(ctx.get(), req, &resp), "list images");
    for (const auto& img : resp.images()) {
      api::images::DeleteImageRequest del;
      del.set_name(img.name());
      del.set_sync(true);
      google::protobuf::Empty empty;
      auto dctx = c.context();
      note(c.images().Delete(dctx.get(), del, &empty), "delete image " + img.name());
    }
  }
  {
    api::leases::ListRequest req;
    api::leases::ListResponse resp;
    auto ctx = c.context();
    note(c.leases().List(ctx.get(), req, &resp), "list leases");
    for (const auto& l : resp.leases()) {
      api::leases::DeleteRequest del;
      del.set_id(l.id());
      del.set_sync(true);
      google::protobuf::Empty empty;
      auto dctx = c.context();
      note(c.leases().Delete(dctx.get(), del, &empty), "delete lease " + l.id());
    }
  }
  // Snapshots: children must go before parents, so retry rounds until nothing is left.
  for (int round = 0; round < 20; ++round) {
    api::snapshots::ListSnapshotsRequest req;
    req.set_snapshotter("overlayfs");
    auto ctx = c.context();
    auto reader = c.snapshots().List(ctx.get(), req);
    std::vector<std::string> keys;
    api::snapshots::ListSnapshotsResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& info : resp.info()) keys.push_back(info.name());
    }
    reader->Finish();
    if (keys.empty()) break;
    for (const auto& key : keys) {
      api::snapshots::RemoveSnapshotRequest rm;
      rm.set_snapshotter("overlayfs");
      rm.set_key(key);
      google::protobuf::Empty empty;
      auto rctx = c.context();
      c.snapshots().Remove(rctx.get(), rm, &empty);
    }
    if (round == 19) problems += fmt::format("{} snapshots left; ", keys.size());
  }
  {
    api::content::ListContentRequest req;
    auto ctx = c.context();
    auto reader = c.content().List(ctx.get(), req);
    std::vector<std::string> digests;
    api::content::ListContentResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& info : resp.info()) digests.push_back(info.digest());
    }
    reader->Finish();
    for (const auto& d : digests) {
      api::content::DeleteContentRequest del;
      del.set_digest(d);
      google::protobuf::Empty empty;
      auto dctx = c.context();
      note(c.content().Delete(dctx.get(), del, &empty), "delete content " + d);
    }
  }
  {
    api::namespaces::DeleteNamespaceRequest req;
    req.set_name(name_);
    google::protobuf::Empty empty;
    auto ctx = c.context();
    note(c.namespaces().Delete(ctx.get(), req, &empty), "delete namespace");
  }
  problems += remove_cgroups(name_);
  return problems;
}

}  // namespace nodeagent::testing
