// The prober's one event loop: non-blocking sockets with their handlers (epoll), tasks posted
// from other threads (exec and gRPC completions, new pods), and a wake-up. Everything registered
// here runs on the thread that calls run_once(); only post() and wake() may be called elsewhere.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace nodeagent::probes {

class IoLoop {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_io(uint32_t events) = 0;  // EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP
  };

  IoLoop();
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  // false (errno set) when epoll refuses the fd.
  bool add(int fd, uint32_t events, Handler* handler);
  bool modify(int fd, uint32_t events, Handler* handler);
  void remove(int fd);

  void post(std::function<void()> task);  // any thread
  void wake();                             // any thread

  // Waits up to `timeout_ms` (-1: no limit) for I/O or a wake-up, then runs the ready handlers
  // and the posted tasks.
  void run_once(int timeout_ms);

 private:
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace nodeagent::probes
