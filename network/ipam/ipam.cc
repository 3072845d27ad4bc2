#include "network/ipam/ipam.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/log.h"
#include "network/ipam/ip_pool.h"

namespace nodeagent::network {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLastHandedOutFile = "last_reserved_ip.0";  // host-local's name
constexpr const char* kLockFile = "lock";

// flock() on <dir>/lock for the duration of a mutation: keeps other processes (a second agent
// by mistake, nodectl) from interleaving with us. Cheap when uncontended.
class DirLock {
 public:
  explicit DirLock(const std::string& dir) {
    fd_ = ::open((dir + "/" + kLockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing drops the flock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Status write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write " + path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return ok_status();
}

// Writes a temp file next to `path` and returns its name; the caller links or renames it.
// No fsync: the files must survive agent crashes (the page cache does); after a machine crash
// every pod netns is gone too, and the garbage collection reclaims whatever is left.
Result<std::string> write_temp(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("create " + tmp, errno);
  Status written = write_all(fd, content, tmp);
  ::close(fd);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written.error();
  }
  return tmp;
}

std::string first_line_of(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

Result<std::unique_ptr<Ipam>> Ipam::open(const std::string& dir, const Ipv4Cidr& range) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return internal("ipam: create state dir " + dir + ": " + ec.message());
  std::unique_ptr<Ipam> ipam(new Ipam(dir, range));
  NA_RETURN_IF_ERROR(ipam->load());
  const std::string last_path = dir + "/" + kLastHandedOutFile;
  ipam->last_handed_out_fd_ = ::open(last_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (ipam->last_handed_out_fd_ < 0) return errno_error("ipam: open " + last_path, errno);
  return ipam;
}

Ipam::~Ipam() {
  if (last_handed_out_fd_ >= 0) ::close(last_handed_out_fd_);
}

Status Ipam::load() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == kLastHandedOutFile) {
      if (auto ip = Ipv4::parse(first_line_of(entry.path())); ip.ok()) last_handed_out_ = *ip;
      continue;
    }
    if (name.find(".tmp.") != std::string::npos) {
      fs::remove(entry.path(), ec);  // left by a crash between write and link
      continue;
    }
    auto ip = Ipv4::parse(name);
    if (!ip.ok()) continue;  // the lock file, or something that is not ours
    // An empty owner (torn write after a machine crash) is kept as taken; GC removes it.
    owner_by_ip_[*ip] = first_line_of(entry.path());
  }
  if (ec) return internal("ipam: read state dir " + dir_ + ": " + ec.message());
  return ok_status();
}

Result<Ipv4> Ipam::allocate(const std::string& pod_uid) {
  std::lock_guard lock(mu_);
  for (const auto& [ip, owner] : owner_by_ip_) {
    // An IP of an older pod CIDR is no use on the bridge any more: the pod gets a new one.
    if (owner == pod_uid && range_.contains(ip)) return ip;
  }
  DirLock dir_lock(dir_);
  if (!dir_lock.ok()) return errno_error("ipam: lock " + dir_, errno);

  std::set<Ipv4> taken;
  for (const auto& [ip, owner] : owner_by_ip_) taken.insert(ip);
  std::optional<Ipv4> after = last_handed_out_;
  for (;;) {
    std::optional<Ipv4> candidate = next_free_ip(range_, taken, after);
    if (!candidate) {
      return Error{ErrorCode::kFailedPrecondition, "no free IP in " + range_.str()};
    }
    const std::string path = dir_ + "/" + candidate->str();
    NA_ASSIGN_OR_RETURN(std::string tmp, write_temp(path, pod_uid + "\n"));
    // link() fails with EEXIST if the name exists: an exclusive create of a complete file.
    const int rc = ::link(tmp.c_str(), path.c_str());
    const int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0 && err == EEXIST) {
      // Taken by another process since we loaded: index it and try the next one.
      owner_by_ip_[*candidate] = first_line_of(path);
      taken.insert(*candidate);
      after = candidate;
      continue;
    }
    if (rc != 0) return errno_error("ipam: create " + path, err);
    owner_by_ip_[*candidate] = pod_uid;
    last_handed_out_ = candidate;
    // Rewritten in place, not replaced by rename: on ext4 a rename over an existing file forces
    // a data flush (auto_da_alloc), milliseconds per pod. Only the first line is read back, so a
    // longer earlier value leaves harmless bytes after the newline; a torn write is ignored.
    // Best effort: losing it only weakens round-robin, never correctness.
    const std::string line = candidate->str() + "\n";
    if (::pwrite(last_handed_out_fd_, line.data(), line.size(), 0) < 0) {
      log::get("network")->debug("ipam: cannot record the last IP handed out: {}", std::strerror(errno));
    }
    return *candidate;
  }
}

std::optional<Ipv4> Ipam::lookup(const std::string& pod_uid) const {
  std::lock_guard lock(mu_);
  std::optional<Ipv4> outside_range;
  for (const auto& [ip, owner] : owner_by_ip_) {
    if (owner != pod_uid) continue;
    if (range_.contains(ip)) return ip;  // the current one wins over one of an older pod CIDR
    outside_range = ip;
  }
  return outside_range;
}

Status Ipam::release_locked(Ipv4 ip) {
  const std::string path = dir_ + "/" + ip.str();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("ipam: remove " + path, errno);
  owner_by_ip_.erase(ip);
  return ok_status();
}

Status Ipam::release(const std::string& pod_uid) {
  std::lock_guard lock(mu_);
  DirLock dir_lock(dir_);
  std::vector<Ipv4> held;
  for (const auto& [ip, owner] : owner_by_ip_) {
    if (owner == pod_uid) held.push_back(ip);
  }
  for (Ipv4 ip : held) NA_RETURN_IF_ERROR(release_locked(ip));
  return ok_status();
}

Result<std::vector<std::string>> Ipam::release_all_except(const std::set<std::string>& live_pod_uids) {
  std::lock_guard lock(mu_);
  DirLock dir_lock(dir_);
  std::vector<std::pair<Ipv4, std::string>> stale;
  for (const auto& [ip, owner] : owner_by_ip_) {
    if (!live_pod_uids.contains(owner)) stale.emplace_back(ip, owner);
  }
  std::vector<std::string> released;
  for (const auto& [ip, owner] : stale) {
    NA_RETURN_IF_ERROR(release_locked(ip));
    log::get("network")->info("ipam: released {} of pod uid={} that no longer exists", ip.str(), owner);
    released.push_back(owner);
  }
  return released;
}

std::map<Ipv4, std::string> Ipam::allocations() const {
  std::lock_guard lock(mu_);
  return owner_by_ip_;
}

}  // namespace nodeagent::network
