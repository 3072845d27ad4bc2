#include "network/netlink/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace nodeagent::network {

Status run_in_netns(const std::string& netns_path, const std::function<Status()>& fn) {
  if (netns_path.empty()) return fn();
  Status result;
  std::thread worker([&] {
    const int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      result = errno_error("open netns " + netns_path, errno);
      return;
    }
    const int rc = ::setns(fd, CLONE_NEWNET);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
      result = errno_error("join netns " + netns_path, err);
      return;
    }
    result = fn();
  });
  worker.join();
  return result;
}

}  // namespace nodeagent::network
