// Namespace creation on a dedicated thread (see namespace_creator.h).
#include "runtime/sandbox/namespace_creator.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "runtime/sandbox/ns_mounts.h"

namespace nodeagent::runtime::sandbox {
namespace {

Status create_on_this_thread(const NamespaceRequest& request) {
  int flags = 0;
  if (request.net) flags |= CLONE_NEWNET;
  if (request.ipc) flags |= CLONE_NEWIPC;
  if (request.uts) flags |= CLONE_NEWUTS;
  if (flags == 0) return ok_status();
  if (::unshare(flags) != 0) return errno_error("unshare pod namespaces", errno);
  if (request.uts && !request.hostname.empty() &&
      ::sethostname(request.hostname.data(), request.hostname.size()) != 0) {
    return errno_error("sethostname " + request.hostname, errno);
  }
  if (request.net) NA_RETURN_IF_ERROR(bring_loopback_up());
  // /proc/thread-self: the namespaces of THIS thread, not of the process's main thread.
  if (request.net) NA_RETURN_IF_ERROR(bind_namespace("/proc/thread-self/ns/net", request.dir + "/net"));
  if (request.ipc) NA_RETURN_IF_ERROR(bind_namespace("/proc/thread-self/ns/ipc", request.dir + "/ipc"));
  if (request.uts) NA_RETURN_IF_ERROR(bind_namespace("/proc/thread-self/ns/uts", request.dir + "/uts"));
  return ok_status();
}

}  // namespace

Status bring_loopback_up() {
  // A socket belongs to the netns of the thread that creates it, so this ioctl reaches the new lo.
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return errno_error("socket for lo", errno);
  struct ifreq req {};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  Status status;
  if (::ioctl(sock, SIOCGIFFLAGS, &req) != 0) {
    status = errno_error("read flags of lo", errno);
  } else {
    req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
    if (::ioctl(sock, SIOCSIFFLAGS, &req) != 0) status = errno_error("set lo up", errno);
  }
  ::close(sock);
  return status;
}

Status create_namespaces(const NamespaceRequest& request) {
  Status result;
  try {
    std::thread worker([&] { result = create_on_this_thread(request); });
    worker.join();
  } catch (const std::system_error& e) {  // no thread could be started: out of resources
    return internal(std::string("start namespace thread: ") + e.what());
  }
  return result;
}

}  // namespace nodeagent::runtime::sandbox
