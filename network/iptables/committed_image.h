// What KernelIptables remembers of the table it last committed, so that the next sync need not
// read it back from the kernel (IPT_SO_GET_ENTRIES: ~0.5 s at 350k rules, copy-out plus
// re-indexing). It holds the GET_INFO figures the kernel reports for that table, the editor's
// index, and the rules' bytes, LZ4-compressed in chunks of kChainsPerChunk chains (by chain
// index, which is stable while the index lives: deleted chains stay as tombstones, new ones are
// appended). Rule bytes do not depend on where a rule sits in the table (jumps are resolved
// through the index at layout), so a sync recompresses only the chunks whose chains it changed:
// a few milliseconds for one endpoint, instead of ~0.1-0.3 s for the whole ~118 MB table at 10k
// Services x 10 endpoints. That work runs on a background thread, off the sync's critical path.
#pragma once

#include <linux/netfilter_ipv4/ip_tables.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "network/iptables/kernel_table_index.h"

namespace nodeagent::network::iptables {

class CommittedImage {
 public:
  static constexpr size_t kChainsPerChunk = 1024;

  struct Chunk {
    std::vector<char> compressed;
    uint32_t raw_size = 0;
    uintptr_t base = 0;  // where the index's rule pointers into this chunk point (maybe freed)
  };
  // Memory the index's rule pointers may point into until the chunks are rebuilt.
  using Sources = std::vector<std::shared_ptr<void>>;

  // `chunks`: those the index came from (empty after a read from the kernel); chunks marked in
  // `dirty` (and any beyond `chunks`) are rebuilt from the bytes the index points to, which
  // `sources` keeps alive until then. Starts that work on its own thread.
  CommittedImage(const ipt_getinfo& info, TableIndex index, std::vector<Chunk> chunks, std::vector<bool> dirty,
                 Sources sources);
  ~CommittedImage();
  CommittedImage(const CommittedImage&) = delete;
  CommittedImage& operator=(const CommittedImage&) = delete;

  // True when the kernel's table (GET_INFO) still has the shape of the one we committed. A
  // foreign edit that keeps size, entry count and hook offsets is not seen here: callers read
  // the table back now and then anyway (Applier: every full sync).
  bool matches(const ipt_getinfo& live) const;
  // Whether the index is here (it is lent to one editor at a time).
  bool has_index() const { return has_index_; }

  // What restore() lends: the index and the compressed chunks it points into.
  struct Lent {
    TableIndex index;
    std::vector<Chunk> chunks;
  };
  // Lends the index and the chunks out (nothing: already lent, or compression failed and the
  // cache is useless). Nothing is decompressed here: the editor decompresses a chunk when it
  // reads or changes one of its chains, and the others straight into the layout of its commit.
  std::optional<Lent> restore();
  // Takes back what restore() lent, not modified (chunk bases may have moved: decompressed).
  void give_back(TableIndex index, std::vector<Chunk> chunks);

  // Decompresses `chunk` into `out` (raw_size bytes); false if the data is corrupt.
  static bool decompress(const Chunk& chunk, uint8_t* out);

  // Waits for the background work (tests, benchmark, destruction).
  void wait() const;
  // Once built: bytes of the compressed chunks; chunks rebuilt and the CPU seconds that took.
  size_t image_bytes() const;
  size_t chunks_rebuilt() const;
  double build_cpu() const;

 private:
  void build(std::vector<bool> dirty);
  void rebuild_chunk(size_t k, std::vector<uint8_t>& raw, std::vector<char>& packed);

  ipt_getinfo info_;
  TableIndex index_;
  bool has_index_ = true;
  std::vector<Chunk> chunks_;
  Sources sources_;
  bool ok_ = false;
  size_t rebuilt_ = 0;
  double build_cpu_ = 0;
  mutable std::thread worker_;
};

}  // namespace nodeagent::network::iptables
