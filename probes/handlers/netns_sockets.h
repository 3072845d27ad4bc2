// Non-blocking TCP sockets created inside a pod's network namespace, on the prober's loop
// thread: the thread joins the namespace for the socket() call alone and returns to its own at
// once (a socket stays in the namespace it was created in), so one thread serves every pod
// without a thread per probe or per connection. The namespace files are kept open per path (and
// reopened when the path's inode changes, i.e. the sandbox was recreated); forget() closes them.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "util/result.h"

namespace nodeagent::probes {

class NetnsSockets {
 public:
  NetnsSockets() = default;
  ~NetnsSockets();
  NetnsSockets(const NetnsSockets&) = delete;
  NetnsSockets& operator=(const NetnsSockets&) = delete;

  // A SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC socket of `family` in the namespace bound at
  // `netns_path` ("" = the calling thread's own).
  Result<int> tcp_socket(const std::string& netns_path, int family);
  void forget(const std::string& netns_path);

 private:
  struct Open {
    int fd = -1;
    ino_t ino = 0;
  };
  Result<int> netns_fd(const std::string& path);

  int self_fd_ = -1;  // the loop thread's own namespace, opened at first use
  ino_t self_ino_ = 0;
  std::map<std::string, Open> open_;
};

}  // namespace nodeagent::probes
