// The light index KernelTable keeps over an x_tables blob: chains of rule references (bytes in
// the blob or in an arena, plus the resolved jump target). Shared by the editor and the cache
// of the last committed table (committed_image.h), which keeps it across syncs.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace nodeagent::iptables {

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

struct TableIndex {
  std::vector<ChainData> chains;
  std::unordered_map<std::string, int> by_name;  // live chains only
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

}  // namespace nodeagent::iptables
