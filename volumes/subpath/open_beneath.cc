// open_beneath: openat2 where the kernel has it, else a component-wise walk with the same rules.
#include "volumes/subpath/open_beneath.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <string>
#include <vector>

namespace nodeagent::volumes::subpath {

namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's MAXSYMLINKS

long raw_openat2(int dirfd, const char* path, int flags, uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = resolve;
  return ::syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

Opened via_openat2(int root_fd, std::string_view rel) {
  const std::string path = rel.empty() ? "." : std::string(rel);
  // EAGAIN: a rename raced with the lookup of `..` under RESOLVE_BENEATH; the kernel asks for a retry.
  for (int attempt = 0;; ++attempt) {
    long fd = raw_openat2(root_fd, path.c_str(), O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0) return {UniqueFd(static_cast<int>(fd)), 0};
    if (errno != EAGAIN || attempt == 16) return {UniqueFd(), errno};
  }
}

void push_components(std::deque<std::string>& todo, std::string_view path, bool front) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (front) todo.insert(todo.begin(), parts.begin(), parts.end());
  else todo.insert(todo.end(), parts.begin(), parts.end());
}

// The walk: `stack` holds the fds of the directories from the root down to the current one, so
// that `..` pops one (never the root) instead of asking the kernel, which a concurrent rename
// could lead elsewhere.
Opened via_walk(int root_fd, std::string_view rel) {
  std::vector<UniqueFd> stack;
  stack.emplace_back(::openat(root_fd, ".", O_PATH | O_CLOEXEC | O_DIRECTORY));
  if (!stack.back().valid()) return {UniqueFd(), errno};
  std::deque<std::string> todo;
  push_components(todo, rel, false);
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      if (stack.size() == 1) return {UniqueFd(), EXDEV};
      stack.pop_back();
      continue;
    }
    UniqueFd fd(::openat(stack.back().get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return {UniqueFd(), errno};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return {UniqueFd(), errno};
    if (S_ISLNK(st.st_mode)) {
      // procfs symlinks are magic links: they jump to wherever the kernel says.
      struct statfs sfs {};
      if (::fstatfs(fd.get(), &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) return {UniqueFd(), ELOOP};
      if (++links > kMaxSymlinks) return {UniqueFd(), ELOOP};
      std::string target(4096, '\0');
      ssize_t n = ::readlinkat(fd.get(), "", target.data(), target.size());
      if (n < 0) return {UniqueFd(), errno};
      target.resize(static_cast<size_t>(n));
      if (target.empty()) return {UniqueFd(), ENOENT};
      if (target.front() == '/') return {UniqueFd(), EXDEV};
      push_components(todo, target, true);
      continue;
    }
    if (!todo.empty() && !S_ISDIR(st.st_mode)) return {UniqueFd(), ENOTDIR};
    stack.push_back(std::move(fd));
  }
  return {std::move(stack.back()), 0};
}

}  // namespace

bool openat2_available() {
  static const bool available = [] {
    UniqueFd root(::open("/", O_PATH | O_CLOEXEC | O_DIRECTORY));
    long fd = raw_openat2(root.get(), ".", O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0) {
      ::close(static_cast<int>(fd));
      return true;
    }
    // ENOSYS: no openat2; EINVAL/E2BIG: an openat2 without these flags. Anything else (a seccomp
    // filter's EPERM) also means: do not rely on it.
    return false;
  }();
  return available;
}

Opened open_beneath(int root_fd, std::string_view rel, Resolver how) {
  switch (how) {
    case Resolver::kOpenat2:
      return via_openat2(root_fd, rel);
    case Resolver::kWalk:
      return via_walk(root_fd, rel);
    case Resolver::kAuto:
      break;
  }
  return openat2_available() ? via_openat2(root_fd, rel) : via_walk(root_fd, rel);
}

}  // namespace nodeagent::volumes::subpath
