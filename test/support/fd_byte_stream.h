// A nodeapi::ByteStream over a socket (socketpair or TCP), for tests of the streaming protocols
// without the HTTPS server.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string_view>

#include "agent/nodeapi/byte_stream.h"

namespace nodeagent::testing {

class FdByteStream : public nodeapi::ByteStream {
 public:
  explicit FdByteStream(int fd) : fd_(fd) {}
  ~FdByteStream() override {
    close();
    ::close(fd_);
  }
  size_t read_some(char* data, size_t size) override {
    while (true) {
      ssize_t n = ::recv(fd_, data, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n > 0 ? static_cast<size_t>(n) : 0;
    }
  }
  bool write_all(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Unblocks a pending read; the descriptor itself is closed by the destructor.
  void close() override {
    if (!closed_.exchange(true)) ::shutdown(fd_, SHUT_RDWR);
  }

 private:
  int fd_;
  std::atomic<bool> closed_{false};
};

}  // namespace nodeagent::testing
