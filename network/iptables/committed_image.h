// What KernelIptables remembers of the table it last committed, so that the next sync need not
// read it back from the kernel (IPT_SO_GET_ENTRIES: ~0.5 s at 350k rules, copy-out plus
// re-indexing). It holds the GET_INFO figures the kernel reports for that table, the editor's
// index, and the image itself compressed with LZ4 (the raw image is ~118 MB at 10k Services x
// 10 endpoints, ~10x less compressed); compression runs on a background thread after the commit,
// off the sync's critical path.
#pragma once

#include <linux/netfilter_ipv4/ip_tables.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "network/iptables/kernel_table_index.h"

namespace nodeagent::iptables {

class CommittedImage {
 public:
  // `image` holds `size` bytes of entries at `entries` (the buffer may start with a header);
  // `index` points into them. Compression starts at once on its own thread.
  CommittedImage(const ipt_getinfo& info, TableIndex index, std::unique_ptr<uint8_t[]> image, const uint8_t* entries);
  ~CommittedImage();
  CommittedImage(const CommittedImage&) = delete;
  CommittedImage& operator=(const CommittedImage&) = delete;

  // True when the kernel's table (GET_INFO) still has the shape of the one we committed. A
  // foreign edit that keeps size, entry count and hook offsets is not seen here: callers read
  // the table back now and then anyway (Applier: every full sync).
  bool matches(const ipt_getinfo& live) const;
  // Whether the index is here (it is lent to one editor at a time).
  bool has_index() const { return has_index_; }

  // Lends the index out with a fresh copy of the image it points into (false: compression
  // failed, the cache is useless).
  bool restore(TableIndex& index, std::unique_ptr<uint8_t[]>& image);
  // Takes back an index lent by restore() and not modified; it points into `image`.
  void give_back(TableIndex index, const uint8_t* image);

  // Waits for the background compression (tests, benchmark, destruction).
  void wait() const;
  // Once compressed: bytes of the compressed image, and CPU seconds the compression took on its
  // thread.
  size_t image_bytes() const;
  double compress_cpu() const;

 private:
  void compress();

  ipt_getinfo info_;
  TableIndex index_;
  bool has_index_ = true;
  uintptr_t index_base_ = 0;  // the address the index's rule pointers are relative to
  std::unique_ptr<uint8_t[]> raw_;  // until compressed
  const uint8_t* raw_entries_ = nullptr;
  std::vector<char> compressed_;
  std::atomic<bool> ok_{false};
  double compress_cpu_ = 0;
  mutable std::thread worker_;
};

}  // namespace nodeagent::iptables
