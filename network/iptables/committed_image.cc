// LZ4 (block format) per chunk: the rules are fixed-layout entries with much zero padding,
// which LZ4 compresses ~20x at ~0.5-1 GB/s and restores at several GB/s.
#include "network/iptables/committed_image.h"

#include <lz4.h>
#include <time.h>

#include <algorithm>
#include <cstring>

namespace nodeagent::network::iptables {
namespace {

double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t chunk_count(size_t chains) { return (chains + CommittedImage::kChainsPerChunk - 1) / CommittedImage::kChainsPerChunk; }

template <typename F>
void for_each_rule(std::vector<ChainData>& chains, size_t k, F&& f) {
  const size_t end = std::min(chains.size(), (k + 1) * CommittedImage::kChainsPerChunk);
  for (size_t i = k * CommittedImage::kChainsPerChunk; i < end; ++i) {
    auto& c = chains[i];
    if (c.deleted) continue;
    for (auto& r : c.rules) f(r);
    if (c.hook >= 0) f(c.policy);
  }
}

}  // namespace

CommittedImage::CommittedImage(const ipt_getinfo& info, TableIndex index, std::vector<Chunk> chunks,
                               std::vector<bool> dirty, Sources sources)
    : info_(info), index_(std::move(index)), chunks_(std::move(chunks)), sources_(std::move(sources)) {
  worker_ = std::thread([this, d = std::move(dirty)]() mutable { build(std::move(d)); });
}

CommittedImage::~CommittedImage() { wait(); }

void CommittedImage::wait() const {
  if (worker_.joinable()) worker_.join();
}

void CommittedImage::build(std::vector<bool> dirty) {
  const double c0 = thread_cpu();
  const size_t n = chunk_count(index_.chains.size());
  const size_t reused = std::min(chunks_.size(), n);
  chunks_.resize(n);
  ok_ = true;
  // Two scratch buffers for all chunks: allocating and freeing ~1 MB per chunk would leave the
  // heap fragmented (and the daemon's RSS high) once malloc's mmap threshold has grown.
  std::vector<uint8_t> raw;
  std::vector<char> packed;
  for (size_t k = 0; k < n && ok_; ++k) {
    if (k >= reused || (k < dirty.size() && dirty[k])) {
      rebuild_chunk(k, raw, packed);
      ++rebuilt_;
    }
  }
  sources_.clear();
  build_cpu_ = thread_cpu() - c0;
}

// Gathers the chunk's rule bytes (into `raw`), points the index at them (only as a base for the
// next restore's rebase) and compresses them.
void CommittedImage::rebuild_chunk(size_t k, std::vector<uint8_t>& raw, std::vector<char>& packed) {
  size_t size = 0;
  for_each_rule(index_.chains, k, [&](RuleRef& r) { size += r.size; });
  Chunk& chunk = chunks_[k];
  chunk = Chunk{};
  chunk.raw_size = static_cast<uint32_t>(size);
  if (size == 0) return;
  raw.resize(size);
  size_t pos = 0;
  for_each_rule(index_.chains, k, [&](RuleRef& r) {
    std::memcpy(raw.data() + pos, r.data, r.size);
    r.data = raw.data() + pos;
    pos += r.size;
  });
  chunk.base = reinterpret_cast<uintptr_t>(raw.data());
  packed.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(size))));
  const int c = LZ4_compress_default(reinterpret_cast<const char*>(raw.data()), packed.data(), static_cast<int>(size),
                                     static_cast<int>(packed.size()));
  if (c <= 0) {
    ok_ = false;
    return;
  }
  chunk.compressed.assign(packed.data(), packed.data() + c);
}

bool CommittedImage::matches(const ipt_getinfo& live) const {
  if (live.valid_hooks != info_.valid_hooks || live.size != info_.size || live.num_entries != info_.num_entries) return false;
  // The kernel reports 0xFFFFFFFF for hooks the table does not have; compare the others.
  for (unsigned h = 0; h < NF_INET_NUMHOOKS; ++h) {
    if ((live.valid_hooks & (1u << h)) && (live.hook_entry[h] != info_.hook_entry[h] || live.underflow[h] != info_.underflow[h]))
      return false;
  }
  return true;
}

std::optional<CommittedImage::Lent> CommittedImage::restore() {
  wait();
  if (!ok_ || !has_index_) return std::nullopt;
  Lent lent{std::move(index_), std::move(chunks_)};
  index_ = TableIndex{};
  chunks_.clear();
  has_index_ = false;
  return lent;
}

void CommittedImage::give_back(TableIndex index, std::vector<Chunk> chunks) {
  index_ = std::move(index);
  chunks_ = std::move(chunks);
  has_index_ = true;
}

bool CommittedImage::decompress(const Chunk& chunk, uint8_t* out) {
  if (chunk.raw_size == 0) return true;
  const int n = LZ4_decompress_safe(chunk.compressed.data(), reinterpret_cast<char*>(out),
                                    static_cast<int>(chunk.compressed.size()), static_cast<int>(chunk.raw_size));
  return n == static_cast<int>(chunk.raw_size);
}

size_t CommittedImage::image_bytes() const {
  wait();
  size_t bytes = 0;
  for (const auto& c : chunks_) bytes += c.compressed.capacity();
  return bytes;
}

size_t CommittedImage::chunks_rebuilt() const {
  wait();
  return rebuilt_;
}

double CommittedImage::build_cpu() const {
  wait();
  return build_cpu_;
}

}  // namespace nodeagent::network::iptables
