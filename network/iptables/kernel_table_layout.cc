// The editor's second half: lays the edited table out as one x_tables blob (one memcpy per rule,
// jump offsets patched), replaces the kernel's table with it in one IPT_SO_SET_REPLACE, gives the
// kept rules their counters back, and hands what it committed to the cache.
#include <string_view>

#include "network/iptables/kernel_table_editor.h"

namespace nodeagent::network::iptables::kernel_table {

// Built-in chains in hook order, then user chains by name (as libiptc writes them): the order
// kept from the last layout, with the chains added since merged in.
std::vector<int> KernelTable::layout_order() const {
  std::vector<int> order;
  int builtin[NF_INET_NUMHOOKS] = {-1, -1, -1, -1, -1};
  for (size_t i = 0; i < chains_.size(); ++i) {
    if (chains_[i].hook >= 0) builtin[chains_[i].hook] = static_cast<int>(i);
  }
  for (int idx : builtin) {
    if (idx >= 0) order.push_back(idx);
  }
  auto by_name = [&](int a, int b) { return chains_[a].name < chains_[b].name; };
  // A full sync into an empty table sorts 120k names, most of them "KUBE-SEP-..." or
  // "KUBE-SVC-...": each carries its first 16 bytes as two big-endian integers (zero-padded,
  // which orders like memcmp), so most comparisons need neither the chains nor memcmp.
  struct Keyed {
    uint64_t head, next;
    std::string_view name;
    int idx;
    bool operator<(const Keyed& o) const {
      if (head != o.head) return head < o.head;
      if (next != o.next) return next < o.next;
      if (name != o.name) return name < o.name;
      return idx < o.idx;
    }
  };
  auto big_endian = [](std::string_view s, size_t at) {
    uint64_t v = 0;
    for (size_t i = at; i < at + 8; ++i) v = (v << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
    return v;
  };
  std::vector<Keyed> keyed;
  for (size_t i = ix_.ordered_count; i < chains_.size(); ++i) {
    if (chains_[i].hook >= 0 || chains_[i].deleted) continue;
    const std::string_view name = chains_[i].name;
    keyed.push_back({big_endian(name, 0), big_endian(name, 8), name, static_cast<int>(i)});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<int> added;
  added.reserve(keyed.size());
  for (const auto& k : keyed) added.push_back(k.idx);
  std::vector<int> kept;
  kept.reserve(ix_.user_order.size());
  for (int idx : ix_.user_order) {
    if (!chains_[idx].deleted) kept.push_back(idx);
  }
  order.reserve(order.size() + kept.size() + added.size());
  std::merge(kept.begin(), kept.end(), added.begin(), added.end(), std::back_inserter(order), by_name);
  return order;
}

Status KernelTable::commit() {
  const std::vector<int> order = layout_order();

  const uint32_t head_size = kHeadSize;
  const uint32_t tail_size = kTailSize;
  uint32_t off = 0, entries = 0;
  ipt_replace repl{};
  for (int idx : order) {
    ChainData& c = chains_[idx];
    if (c.hook < 0) off += head_size, ++entries;
    c.first_rule_offset = off;
    if (c.hook >= 0) repl.hook_entry[c.hook] = off;
    for (const auto& r : c.rules) off += r.size, ++entries;
    if (c.hook >= 0) repl.underflow[c.hook] = off, off += c.policy.size;
    else off += tail_size;
    ++entries;
  }
  const uint32_t total = off + head_size;
  ++entries;

  // Zero-filled by the kernel (fresh pages); rules are copied whole, heads and tails written whole.
  const size_t buf_size = sizeof(ipt_replace) + total;
  auto buf = std::make_unique<PageBuffer>(buf_size);
  std::vector<int> old_index_of_new(entries, -1);
  uint8_t* out = buf->data() + sizeof(ipt_replace);
  NA_RETURN_IF_ERROR(copy_virtual_chunks(out));
  uint32_t pos = 0, n = 0;
  // A zeroed entry of `size` bytes with no matches and a target of type T; returns the target.
  auto put_bare_entry = [&]<typename T>(size_t size) {
    std::memset(out + pos, 0, size);
    auto* e = reinterpret_cast<ipt_entry*>(out + pos);
    e->target_offset = sizeof(ipt_entry);
    e->next_offset = static_cast<uint16_t>(size);
    auto* t = reinterpret_cast<T*>(out + pos + sizeof(ipt_entry));
    t->target.u.user.target_size = static_cast<uint16_t>(XT_ALIGN(sizeof(T)));
    pos += static_cast<uint32_t>(size);
    ++n;
    return t;
  };
  auto put_error = [&](const std::string& name) {
    auto* t = put_bare_entry.template operator()<xt_error_target>(head_size);
    std::strcpy(t->target.u.user.name, XT_ERROR_TARGET);
    // The head is zeroed above: copying the name's bytes is enough (no strncpy padding pass).
    std::memcpy(t->errorname, name.data(), std::min(name.size(), sizeof t->errorname - 1));
  };
  // The rule's entry index in the new table is where its counters will be next time.
  auto put_rule = [&](RuleRef& r, bool copied) {
    if (!copied) std::memcpy(out + pos, r.data, r.size);
    auto* e = reinterpret_cast<ipt_entry*>(out + pos);
    e->counters = {0, 0};
    e->comefrom = 0;
    if (r.jump >= 0) *reinterpret_cast<int*>(out + pos + r.verdict_pos) = static_cast<int>(chains_[r.jump].first_rule_offset);
    else if (r.jump == kFallthrough) *reinterpret_cast<int*>(out + pos + r.verdict_pos) = static_cast<int>(pos + r.size);
    old_index_of_new[n] = r.old_index;
    r.old_index = static_cast<int>(n);
    pos += r.size;
    ++n;
  };
  for (int idx : order) {
    ChainData& c = chains_[idx];
    const bool copied = is_virtual(static_cast<size_t>(idx) / CommittedImage::kChainsPerChunk);
    if (c.hook < 0) put_error(c.name);
    for (auto& r : c.rules) {
      if (r.jump >= 0 && chains_[r.jump].deleted)
        return invalid("iptables table " + table_ + ": chain " + c.name + " jumps to deleted chain " + chains_[r.jump].name);
      put_rule(r, copied);
    }
    if (c.hook >= 0) {
      put_rule(c.policy, copied);
    } else {
      put_bare_entry.template operator()<xt_standard_target>(tail_size)->verdict = XT_RETURN;
    }
  }
  put_error(XT_ERROR_TARGET);

  auto* r = reinterpret_cast<ipt_replace*>(buf->data());
  std::strncpy(r->name, table_.c_str(), sizeof r->name - 1);
  r->valid_hooks = info_.valid_hooks;
  r->num_entries = entries;
  r->size = total;
  std::memcpy(r->hook_entry, repl.hook_entry, sizeof repl.hook_entry);
  std::memcpy(r->underflow, repl.underflow, sizeof repl.underflow);
  std::vector<xt_counters> old_counters(info_.num_entries);
  r->num_counters = info_.num_entries;
  r->counters = old_counters.data();
  if (setsockopt(fd_, IPPROTO_IP, IPT_SO_SET_REPLACE, buf->data(), static_cast<socklen_t>(buf_size)) != 0) {
    const int err = errno;
    forget_cache();
    return fail("replace rejected by the kernel", err);
  }
  committed_ = true;
  remember(*r, order);
  buf.reset();  // the cache keeps the rules in its own chunks

  // Give every kept rule (ours unchanged, everyone else's) its packet/byte counters back.
  std::vector<uint8_t> add(sizeof(xt_counters_info) + entries * sizeof(xt_counters), 0);
  auto* info = reinterpret_cast<xt_counters_info*>(add.data());
  std::strncpy(info->name, table_.c_str(), sizeof info->name - 1);
  info->num_counters = entries;
  bool any = false;
  for (uint32_t i = 0; i < entries; ++i) {
    if (old_index_of_new[i] >= 0 && static_cast<uint32_t>(old_index_of_new[i]) < old_counters.size()) {
      info->counters[i] = old_counters[old_index_of_new[i]];
      any = any || info->counters[i].pcnt || info->counters[i].bcnt;
    }
  }
  if (any && setsockopt(fd_, IPPROTO_IP, IPT_SO_SET_ADD_COUNTERS, add.data(), static_cast<socklen_t>(add.size())) != 0)
    return fail("restore counters", errno);
  return ok_status();
}

// The rules of chunks still compressed go straight from a small scratch buffer (one chunk,
// ~1 MB, stays in cache) to their places in the layout: the table is not decompressed in full
// first. first_rule_offset must be set.
Status KernelTable::copy_virtual_chunks(uint8_t* out) {
  std::vector<uint8_t> scratch;
  constexpr size_t kC = CommittedImage::kChainsPerChunk;
  for (size_t k = 0; k < chunks_.size(); ++k) {
    if (!is_virtual(k)) continue;
    const auto& chunk = chunks_[k];
    scratch.resize(chunk.raw_size);
    if (!CommittedImage::decompress(chunk, scratch.data()))
      return internal("iptables table " + table_ + ": cached chunk " + std::to_string(k) + " is corrupt");
    auto copy = [&](const RuleRef& r, uint32_t at) {
      const uintptr_t from = reinterpret_cast<uintptr_t>(r.data) - chunk.base;
      if (from + r.size > chunk.raw_size) return false;
      std::memcpy(out + at, scratch.data() + from, r.size);
      return true;
    };
    for (size_t i = k * kC; i < std::min(chains_.size(), (k + 1) * kC); ++i) {
      const ChainData& c = chains_[i];
      if (c.deleted) continue;
      uint32_t at = c.first_rule_offset;
      bool ok = true;
      for (const auto& r : c.rules) ok = ok && copy(r, at), at += r.size;
      if (c.hook >= 0) ok = ok && copy(c.policy, at);
      if (!ok) return internal("iptables table " + table_ + ": cached chunk " + std::to_string(k) + " does not match its index");
    }
  }
  return ok_status();
}

void KernelTable::forget_cache() {
  std::lock_guard guard(cache_->mu);
  cache_->tables.erase(table_);
}

// Keeps what we just committed: what GET_INFO will report for it, the index, and the rules'
// bytes (compressed in the background, only the chunks this editor changed).
void KernelTable::remember(const ipt_replace& repl, std::vector<int> order) {
  if (ix_.tombstones * kMaxTombstoneShare > chains_.size()) {
    forget_cache();
    return;
  }
  ipt_getinfo info{};
  std::memcpy(info.name, repl.name, sizeof info.name);
  info.valid_hooks = repl.valid_hooks;
  std::memcpy(info.hook_entry, repl.hook_entry, sizeof info.hook_entry);
  std::memcpy(info.underflow, repl.underflow, sizeof info.underflow);
  info.num_entries = repl.num_entries;
  info.size = repl.size;
  order.erase(std::remove_if(order.begin(), order.end(), [&](int idx) { return chains_[idx].hook >= 0; }), order.end());
  ix_.user_order = std::move(order);
  ix_.ordered_count = chains_.size();
  CommittedImage::Sources sources;
  for (auto& mem : chunk_mem_) {
    if (mem) sources.push_back(std::move(mem));
  }
  if (blob_) sources.push_back(std::move(blob_));
  arena_.release_into(sources);
  // Chunks this editor did not change are reused as they are (still compressed, or decompressed
  // and their base moved); the changed ones, and all after a read from the kernel, are rebuilt.
  std::vector<CommittedImage::Chunk> chunks = std::move(chunks_);
  if (chunks.empty()) dirty_chunks_.clear();
  std::lock_guard guard(cache_->mu);
  auto& entry = cache_->tables[table_];
  entry.image = std::make_unique<CommittedImage>(info, std::move(ix_), std::move(chunks), std::move(dirty_chunks_),
                                                 std::move(sources));
  entry.generation = cache_->next_generation++;
}

}  // namespace nodeagent::network::iptables::kernel_table
