// AtomicWriter (see atomic_writer.h): write a new version beside the old one, swap ..data.
#include "volumes/atomic/atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "volumes/atomic/payload_path.h"

namespace nodeagent::volumes {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDataDir = "..data";
constexpr const char* kDataDirTmp = "..data_tmp";

bool is_version_dir(const std::string& name) {
  return name.size() > 2 && name.rfind("..", 0) == 0 && name != kDataDir && name != kDataDirTmp;
}

std::string top_level(const std::string& path) { return path.substr(0, path.find('/')); }

Result<std::string> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error("read " + path, errno);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// "..2026_12_02_07_48_17." as kubelet names its versions (UTC), for mkdtemp's suffix.
std::string version_prefix() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "..%Y_%m_%d_%H_%M_%S.", &tm);
  return buf;
}

}  // namespace

int32_t effective_file_mode(int32_t mode, const VolumeOwnership& ownership) {
  return (mode & 07777) | (ownership.fs_group ? 0440 : 0);
}

AtomicWriter::AtomicWriter(std::string target_dir, std::string context)
    : target_(std::move(target_dir)), context_(std::move(context)) {}

Error AtomicWriter::fail(const std::string& what, int err) const { return errno_error(what, err).wrap(context_); }

Result<bool> AtomicWriter::write(const Payload& raw, const VolumeOwnership& ownership) {
  Payload payload;
  for (const auto& [path, file] : raw) {
    if (auto st = validate_payload_path(path); !st.ok()) return st.error().wrap(context_);
    payload[clean_payload_path(path)] = file;
  }
  // The current version, if any.
  std::error_code ec;
  auto old = fs::read_symlink(target_ + "/" + kDataDir, ec);
  std::string old_name = ec ? "" : old.filename().string();
  if (!old_name.empty()) {
    NA_ASSIGN_OR_RETURN(bool same, on_disk(payload, target_ + "/" + old_name, ownership));
    if (same) return false;
  }
  NA_ASSIGN_OR_RETURN(auto ts_name, write_new_version(payload, ownership));
  if (auto st = swap_data_link(ts_name); !st.ok()) {
    fs::remove_all(target_ + "/" + ts_name, ec);
    return st.error();
  }
  NA_RETURN_IF_ERROR(update_user_visible(payload));
  if (ownership.fs_group) {
    // The volume root and the links too, as SetVolumeOwnership walks the whole volume.
    const auto gid = static_cast<gid_t>(*ownership.fs_group);
    struct stat st {};
    if (::lchown(target_.c_str(), static_cast<uid_t>(-1), gid) != 0 || ::stat(target_.c_str(), &st) != 0 ||
        ::chmod(target_.c_str(), (st.st_mode & 07777) | 02550) != 0)
      return fail("fsGroup ownership of " + target_, errno);
    for (const auto& e : fs::directory_iterator(target_, ec))
      if (e.is_symlink(ec)) (void)::lchown(e.path().c_str(), static_cast<uid_t>(-1), gid);
  }
  remove_old_versions(ts_name);
  return true;
}

// Whether the version in `ts_dir` holds exactly `payload` (contents, modes, group) and every
// top-level name has its link: then there is nothing to write.
Result<bool> AtomicWriter::on_disk(const Payload& payload, const std::string& ts_dir,
                                   const VolumeOwnership& ownership) const {
  std::error_code ec;
  size_t files = 0;
  for (auto it = fs::recursive_directory_iterator(ts_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) continue;
    auto rel = it->path().lexically_relative(ts_dir).string();
    auto want = payload.find(rel);
    if (want == payload.end()) return false;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    if (static_cast<int32_t>(st.st_mode & 07777) != effective_file_mode(want->second.mode, ownership)) return false;
    if (ownership.fs_group && st.st_gid != static_cast<gid_t>(*ownership.fs_group)) return false;
    if (static_cast<size_t>(st.st_size) != want->second.data.size()) return false;
    auto content = read_all(it->path().string());
    if (!content.ok() || *content != want->second.data) return false;
    ++files;
  }
  if (ec) return false;  // the version vanished under us: write a new one
  if (files != payload.size()) return false;
  for (const auto& [path, _] : payload) {
    struct stat st {};
    if (::lstat((target_ + "/" + top_level(path)).c_str(), &st) != 0) return false;
  }
  return true;
}

Result<std::string> AtomicWriter::write_new_version(const Payload& payload, const VolumeOwnership& ownership) const {
  std::string tmpl = target_ + "/" + version_prefix() + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) return fail("create a version directory in " + target_, errno);
  const std::string ts_dir = tmpl;
  const std::string ts_name = fs::path(ts_dir).filename().string();
  auto abandon = [&](Error e) -> Result<std::string> {
    std::error_code ec;
    fs::remove_all(ts_dir, ec);
    return e;
  };
  // 0755 whatever the umask: group and others must be able to walk to the files.
  const mode_t dir_mode = ownership.fs_group ? 02755 : 0755;
  const gid_t gid = ownership.fs_group ? static_cast<gid_t>(*ownership.fs_group) : static_cast<gid_t>(-1);
  auto own_dir = [&](const std::string& dir) {
    return (!ownership.fs_group || ::lchown(dir.c_str(), static_cast<uid_t>(-1), gid) == 0) &&
           ::chmod(dir.c_str(), dir_mode) == 0;
  };
  if (!own_dir(ts_dir)) return abandon(fail("chmod " + ts_dir, errno));
  for (const auto& [path, file] : payload) {
    // Parent directories inside the version, one element at a time.
    std::string parent = ts_dir;
    auto rel_parent = fs::path(path).parent_path();
    for (const auto& element : rel_parent) {
      parent += "/" + element.string();
      if (::mkdir(parent.c_str(), 0755) != 0) {
        if (errno != EEXIST) return abandon(fail("mkdir " + parent, errno));
        continue;
      }
      if (!own_dir(parent)) return abandon(fail("chmod " + parent, errno));
    }
    const std::string full = ts_dir + "/" + path;
    int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return abandon(fail("create " + full, errno));
    size_t done = 0;
    while (done < file.data.size()) {
      ssize_t n = ::write(fd, file.data.data() + done, file.data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return abandon(fail("write " + full, err));
      }
      done += static_cast<size_t>(n);
    }
    // fchmod, not open's mode: the umask must not narrow the mode the pod asked for.
    bool owned = (!ownership.fs_group || ::fchown(fd, static_cast<uid_t>(-1), gid) == 0) &&
                 ::fchmod(fd, static_cast<mode_t>(effective_file_mode(file.mode, ownership))) == 0;
    int err = errno;
    if (::close(fd) != 0 && owned) return abandon(fail("close " + full, errno));
    if (!owned) return abandon(fail("chmod " + full, err));
  }
  return ts_name;
}

// ..data_tmp -> ts_name renamed over ..data: rename(2) replaces the link atomically.
Status AtomicWriter::swap_data_link(const std::string& ts_name) const {
  const std::string tmp = target_ + "/" + kDataDirTmp;
  ::unlink(tmp.c_str());
  if (::symlink(ts_name.c_str(), tmp.c_str()) != 0) return fail("symlink " + tmp, errno);
  const std::string data = target_ + "/" + kDataDir;
  if (::rename(tmp.c_str(), data.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return fail("rename " + tmp + " to " + data, err);
  }
  return ok_status();
}

// key -> ..data/key for each top-level name; links of names no longer in the payload go.
Status AtomicWriter::update_user_visible(const Payload& payload) const {
  std::set<std::string> names;
  for (const auto& [path, _] : payload) names.insert(top_level(path));
  for (const auto& name : names) {
    const std::string link = target_ + "/" + name;
    struct stat st {};
    if (::lstat(link.c_str(), &st) == 0) continue;
    if (::symlink((std::string(kDataDir) + "/" + name).c_str(), link.c_str()) != 0)
      return fail("symlink " + link, errno);
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(target_, ec)) {
    auto name = e.path().filename().string();
    if (name.rfind("..", 0) == 0 || names.count(name) || !e.is_symlink(ec)) continue;
    auto to = fs::read_symlink(e.path(), ec);
    if (!ec && to.string().rfind(std::string(kDataDir) + "/", 0) == 0) fs::remove(e.path(), ec);
  }
  return ok_status();
}

// Every version but the current one: the one just replaced, and any left by a crash mid-write.
void AtomicWriter::remove_old_versions(const std::string& keep) const {
  std::error_code ec;
  std::vector<fs::path> old;
  for (const auto& e : fs::directory_iterator(target_, ec)) {
    auto name = e.path().filename().string();
    if (name != keep && is_version_dir(name) && e.is_directory(ec) && !e.is_symlink(ec)) old.push_back(e.path());
  }
  for (const auto& p : old) fs::remove_all(p, ec);
}

}  // namespace nodeagent::volumes
