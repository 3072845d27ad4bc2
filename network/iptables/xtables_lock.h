// The lock every iptables tool takes (flock on /run/xtables.lock) before reading or replacing a
// table; libiptc takes none itself, so holding this is what keeps us and `iptables` from
// overwriting each other's commits.
#pragma once

#include <chrono>
#include <string>

#include "util/result.h"

namespace nodeagent::network::iptables {

class XtablesLock {
 public:
  static constexpr const char* kDefaultPath = "/run/xtables.lock";

  // Blocks up to `timeout` for the exclusive lock.
  static Result<XtablesLock> acquire(const std::string& path = kDefaultPath,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  XtablesLock(XtablesLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  XtablesLock& operator=(XtablesLock&& other) noexcept;
  XtablesLock(const XtablesLock&) = delete;
  XtablesLock& operator=(const XtablesLock&) = delete;
  ~XtablesLock();

 private:
  explicit XtablesLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace nodeagent::network::iptables
