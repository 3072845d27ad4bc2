// The light index KernelTable keeps over an x_tables blob: chains of rule references (bytes in
// the blob or in an arena, plus the resolved jump target). Shared by the editor and the cache
// of the last committed table (committed_image.h), which keeps it across syncs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nodeagent::network::iptables {

constexpr int kNoJump = -1;
constexpr int kFallthrough = -2;

struct RuleRef {
  const uint8_t* data = nullptr;
  uint16_t size = 0;
  uint16_t verdict_pos = 0;  // offset of the standard verdict inside the entry; 0 = none
  int jump = kNoJump;        // chain index for jumps, kFallthrough, or kNoJump
  int old_index = -1;        // entry index in the kernel's table (for counters); -1 = new
};

struct ChainData {
  std::string name;
  int hook = -1;  // built-in chains: NF_INET_* hook number
  std::vector<RuleRef> rules;
  RuleRef policy;  // built-in chains only
  bool deleted = false;  // a tombstone: chain indices stay stable while the index lives
  uint32_t first_rule_offset = 0;  // filled during layout
};

// Chain name -> chain index, over the names the chains already hold: an open-addressing table
// of 8-byte slots instead of a hash map node with its own copy of each name (~110 bytes a chain,
// ~13 MB at 120k chains, kept between syncs by the cache). Each slot keeps 32 bits of its name's
// hash, so that a probe reads a chain's name (a cache miss at that size) only when those match,
// and growing needs no name at all.
class ChainNameIndex {
 public:
  int find(const std::vector<ChainData>& chains, std::string_view name) const {
    if (slots_.empty()) return -1;
    const uint32_t h = hash(name);
    for (size_t i = h & mask(); ; i = (i + 1) & mask()) {
      const Slot s = slots_[i];
      if (s.idx == kEmpty) return -1;
      if (s.idx >= 0 && s.tag == h && chains[static_cast<size_t>(s.idx)].name == name) return s.idx;
    }
  }
  // `idx` must not be in the index yet; its name is chains[idx].name.
  void insert(const std::vector<ChainData>& chains, int idx) {
    if ((used_ + 1) * 4 > slots_.size() * 3) grow((live_ + 1) * 2);
    const uint32_t h = hash(chains[static_cast<size_t>(idx)].name);
    size_t i = h & mask();
    while (slots_[i].idx >= 0) i = (i + 1) & mask();
    if (slots_[i].idx == kEmpty) ++used_;
    slots_[i] = {idx, h};
    ++live_;
  }
  void erase(const std::vector<ChainData>& chains, std::string_view name) {
    if (slots_.empty()) return;
    const uint32_t h = hash(name);
    for (size_t i = h & mask(); slots_[i].idx != kEmpty; i = (i + 1) & mask()) {
      const Slot s = slots_[i];
      if (s.idx >= 0 && s.tag == h && chains[static_cast<size_t>(s.idx)].name == name) {
        slots_[i].idx = kErased;
        --live_;
        return;
      }
    }
  }
  void reserve(size_t n) {
    if (n * 4 > slots_.size() * 3) grow(n);
  }

 private:
  static constexpr int32_t kEmpty = -1;
  static constexpr int32_t kErased = -2;
  struct Slot {
    int32_t idx = kEmpty;
    uint32_t tag = 0;  // hash(name): its low bits are also where the probe starts
  };
  static uint32_t hash(std::string_view name) {
    const uint64_t h = std::hash<std::string_view>{}(name);
    return static_cast<uint32_t>(h ^ (h >> 32));
  }
  size_t mask() const { return slots_.size() - 1; }
  // Rebuilds with room for `n` names (power-of-two slots, at most 3/4 full), dropping erased slots.
  void grow(size_t n) {
    size_t size = 16;
    while (size * 3 < n * 4) size *= 2;
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(size, Slot{});
    used_ = live_ = 0;
    for (const Slot s : old) {
      if (s.idx < 0) continue;
      size_t i = s.tag & mask();
      while (slots_[i].idx != kEmpty) i = (i + 1) & mask();
      slots_[i] = s;
      ++used_;
      ++live_;
    }
  }

  std::vector<Slot> slots_;
  size_t used_ = 0;  // live and erased slots
  size_t live_ = 0;
};

struct TableIndex {
  std::vector<ChainData> chains;
  ChainNameIndex by_name;  // live chains only
  // User chains [0, ordered_count) in layout order (by name); chains added later are merged in
  // at commit, so that a commit need not sort 100k names again.
  std::vector<int> user_order;
  size_t ordered_count = 0;
  size_t tombstones = 0;

  // Moves every rule pointer of chains [first, last) that points into [from, from + size) to
  // the same offset from `to`.
  void rebase(size_t first, size_t last, const uint8_t* from, size_t size, const uint8_t* to) {
    const auto lo = reinterpret_cast<uintptr_t>(from);
    auto move = [&](RuleRef& r) {
      const auto p = reinterpret_cast<uintptr_t>(r.data);
      if (r.data && p >= lo && p - lo < size) r.data = to + (p - lo);
    };
    for (size_t i = first; i < last && i < chains.size(); ++i) {
      for (auto& r : chains[i].rules) move(r);
      move(chains[i].policy);
    }
  }
};

}  // namespace nodeagent::network::iptables
