// A large anonymous mapping for table images (~118 MB at 10k Services x 10 endpoints): returned
// to the kernel when destroyed (freed malloc blocks of that size may stay in the heap, and in
// the daemon's RSS), and faulted in with one call instead of ~30k page faults. Not on
// transparent huge pages: with defrag=madvise their allocation may compact memory first, which
// made the layout time vary 0.02-0.26 s here.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>

namespace nodeagent::network::iptables {

class PageBuffer {
 public:
  explicit PageBuffer(size_t size) : size_(size ? size : 1) {
    void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_POPULATE_WRITE
    ::madvise(p, size_, MADV_POPULATE_WRITE);  // Linux >= 5.14; otherwise pages fault in on use
#endif
    data_ = static_cast<uint8_t*>(p);
  }
  ~PageBuffer() { ::munmap(data_, size_); }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_;
};

}  // namespace nodeagent::network::iptables
