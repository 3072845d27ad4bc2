// The x_tables table editor behind KernelIptables, shared by its two source files:
// kernel_table.cc (open, read and parse a table, edit it) and kernel_table_layout.cc (lay the
// table out again, replace it in the kernel, and hand what was committed to the cache). Not part
// of the public interface: use KernelIptables (kernel_table.h).
//
// The x_tables blob, as the kernel expects it:
//   [built-in chains in hook order: rules..., policy]  [user chains: ERROR head, rules..., RETURN tail]  [ERROR end]
// Jumps are byte offsets to the first rule of the target chain; hook_entry/underflow give
// where each built-in chain starts and where its policy is. We parse that into chains of rule
// references (bytes + resolved jump target), edit, and lay it out again.
#pragma once

// netinet/in.h must come before the linux/ headers, which would otherwise define in_addr.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "network/iptables/committed_image.h"
#include "network/iptables/encode.h"
#include "network/iptables/kernel_table_index.h"
#include "network/iptables/page_buffer.h"
#include "network/iptables/table.h"
#include "network/iptables/xtables_lock.h"

namespace nodeagent::network::iptables {

// The last committed image of each table, shared by KernelIptables and its editors.
struct CommittedTables {
  mutable std::mutex mu;
  struct Entry {
    std::unique_ptr<CommittedImage> image;
    uint64_t generation = 0;  // which commit made it: an editor gives back only to its lender
  };
  std::map<std::string, Entry> tables;
  uint64_t next_generation = 1;
  std::map<std::string, bool> last_open_cached;
};

namespace kernel_table {

inline const char* const kHookNames[NF_INET_NUMHOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};

// A user chain's ERROR head and RETURN tail: an ipt_entry followed by its target.
constexpr uint32_t kHeadSize = sizeof(ipt_entry) + XT_ALIGN(sizeof(xt_error_target));
constexpr uint32_t kTailSize = sizeof(ipt_entry) + XT_ALIGN(sizeof(xt_standard_target));

// Above this share of tombstones a committed index is not kept (the next sync re-reads the
// table, which gives a compact index).
constexpr size_t kMaxTombstoneShare = 4;

// Chunked storage for encoded rules that stay valid while the editor lives. Blocks are mappings
// of their own (a full sync fills ~120 MB of them): freed, they go back to the kernel instead of
// fragmenting the heap.
class Arena {
 public:
  const uint8_t* store(const std::vector<uint8_t>& bytes) {
    if (blocks_.empty() || used_ + bytes.size() > blocks_.back()->size()) {
      blocks_.push_back(std::make_shared<PageBuffer>(std::max(kBlock, bytes.size())));
      used_ = 0;
    }
    uint8_t* p = blocks_.back()->data() + used_;
    std::memcpy(p, bytes.data(), bytes.size());
    used_ += bytes.size();
    return p;
  }
  // Hands the blocks over (to keep them alive elsewhere); the arena is empty afterwards.
  void release_into(std::vector<std::shared_ptr<void>>& out) {
    for (auto& b : blocks_) out.push_back(std::move(b));
    blocks_.clear();
    used_ = 0;
  }

 private:
  static constexpr size_t kBlock = 4 << 20;
  std::vector<std::shared_ptr<PageBuffer>> blocks_;
  size_t used_ = 0;
};

inline std::string errno_text(int err) { return std::strerror(err); }

class KernelTable : public TableEditor {
 public:
  KernelTable(std::string table, std::shared_ptr<XtablesLock> lock, int fd, std::shared_ptr<CommittedTables> cache)
      : table_(std::move(table)), lock_(std::move(lock)), fd_(fd), cache_(std::move(cache)) {}
  ~KernelTable() override {
    if (fd_ >= 0) ::close(fd_);
    if (!from_cache_ || committed_) return;
    // Lent by the cache: an editor that changed nothing gives the index back; otherwise the
    // cache is useless (its index is gone) and the next open reads the kernel.
    std::lock_guard guard(cache_->mu);
    auto it = cache_->tables.find(table_);
    if (it == cache_->tables.end() || it->second.generation != lender_) return;
    if (dirty_) cache_->tables.erase(it);
    else it->second.image->give_back(std::move(ix_), std::move(chunks_));
  }

  Status load() {
    for (int attempt = 0; attempt < 5; ++attempt) {
      ipt_getinfo info{};
      std::strncpy(info.name, table_.c_str(), sizeof info.name - 1);
      socklen_t len = sizeof info;
      if (getsockopt(fd_, IPPROTO_IP, IPT_SO_GET_INFO, &info, &len) != 0) return fail("get info", errno);
      info_ = info;
      if (attempt == 0 && load_cached()) return ok_status();
      const size_t blob_size = sizeof(ipt_get_entries) + info.size;
      blob_ = std::make_shared<PageBuffer>(blob_size);
      auto* get = reinterpret_cast<ipt_get_entries*>(blob_->data());
      std::memset(get, 0, sizeof(ipt_get_entries));
      std::strncpy(get->name, table_.c_str(), sizeof get->name - 1);
      get->size = info.size;
      len = static_cast<socklen_t>(blob_size);
      image_ = reinterpret_cast<const uint8_t*>(get->entrytable);
      if (getsockopt(fd_, IPPROTO_IP, IPT_SO_GET_ENTRIES, get, &len) == 0) return parse();
      if (errno != EAGAIN) return fail("get entries", errno);  // EAGAIN: table changed meanwhile
    }
    return fail("get entries (table keeps changing)", EAGAIN);
  }

  const std::string& table_name() const override { return table_; }

  std::vector<std::string> chains() const override {
    std::vector<std::string> out;
    for (const auto& c : chains_) {
      if (!c.deleted) out.push_back(c.name);
    }
    return out;
  }

  size_t count_chains(bool (*counted)(const std::string& chain)) const override {
    size_t n = 0;
    for (const auto& c : chains_) n += !c.deleted && counted(c.name) ? 1 : 0;
    return n;
  }

  bool has_chain(const std::string& chain) const override { return find(chain) >= 0; }
  bool is_as_committed() const override { return from_cache_; }

  Result<std::vector<Rule>> rules(const std::string& chain) const override {
    int idx = find(chain);
    if (idx < 0) return not_found("table " + table_ + ": chain " + chain + " does not exist");
    // Decompressing the chain's chunk is a detail of the cache, not a change to the table.
    NA_RETURN_IF_ERROR(const_cast<KernelTable*>(this)->materialize(idx));
    std::vector<Rule> out;
    for (const auto& r : chains_[idx].rules) {
      auto rule = decode(r);
      if (!rule.ok()) return rule.error().wrap("table " + table_ + " chain " + chain + " rule " + std::to_string(out.size() + 1));
      out.push_back(std::move(rule).value());
    }
    return out;
  }

  Status ensure_chain(const std::string& chain) override {
    auto idx = find_or_add(chain);
    if (!idx.ok()) return idx.error();
    return ok_status();
  }

  Status replace_chain(const std::string& chain, const std::vector<Rule>& rules) override {
    // One name lookup per chain: a full sync replaces 120k of them.
    NA_ASSIGN_OR_RETURN(const int idx, find_or_add(chain));
    NA_RETURN_IF_ERROR(mark(idx));
    std::vector<RuleRef> refs;
    refs.reserve(rules.size());
    for (const auto& rule : rules) {
      NA_ASSIGN_OR_RETURN(RuleRef ref, encode(chain, rule));
      refs.push_back(ref);
    }
    count_jumps(chains_[idx].rules, idx, -1);
    count_jumps(refs, idx, +1);
    chains_[idx].rules = std::move(refs);
    return ok_status();
  }

  Status ensure_rule(const std::string& chain, const Rule& rule, Position where) override {
    int idx = find(chain);
    if (idx < 0) return not_found("table " + table_ + ": chain " + chain + " does not exist");
    NA_RETURN_IF_ERROR(materialize(idx));
    for (const auto& r : chains_[idx].rules) {
      auto decoded = decode(r);
      if (decoded.ok() && *decoded == rule) return ok_status();
    }
    NA_ASSIGN_OR_RETURN(RuleRef ref, encode(chain, rule));
    NA_RETURN_IF_ERROR(mark(idx));
    count_jumps({ref}, idx, +1);
    auto& rules = chains_[idx].rules;
    rules.insert(where == Position::kFirst ? rules.begin() : rules.end(), ref);
    return ok_status();
  }

  Status delete_rule(const std::string& chain, const Rule& rule) override {
    int idx = find(chain);
    if (idx < 0) return ok_status();
    NA_RETURN_IF_ERROR(mark(idx));
    auto& rules = chains_[idx].rules;
    auto removed = std::stable_partition(rules.begin(), rules.end(), [&](const RuleRef& r) {
      auto d = decode(r);
      return !(d.ok() && *d == rule);
    });
    count_jumps(std::vector<RuleRef>(removed, rules.end()), idx, -1);
    rules.erase(removed, rules.end());
    return ok_status();
  }

  Status delete_chain(const std::string& chain) override {
    int idx = find(chain);
    if (idx < 0) return ok_status();
    if (chains_[idx].hook >= 0) return invalid("table " + table_ + ": cannot delete built-in chain " + chain);
    if (!refs_built_) build_refs();
    if (refs_.size() < chains_.size()) refs_.resize(chains_.size(), 0);
    if (refs_[static_cast<size_t>(idx)] > 0) {
      for (const auto& c : chains_) {
        if (c.deleted || &c == &chains_[idx]) continue;
        for (const auto& r : c.rules) {
          if (r.jump == idx)
            return Error{ErrorCode::kFailedPrecondition,
                         "table " + table_ + ": delete chain " + chain + ": still referenced from chain " + c.name};
        }
      }
    }
    NA_RETURN_IF_ERROR(mark(idx));
    count_jumps(chains_[idx].rules, idx, -1);
    chains_[idx].deleted = true;
    chains_[idx].rules.clear();
    index_.erase(chains_, chain);
    ++ix_.tombstones;
    return ok_status();
  }

  Status commit() override;

 private:
  int find(const std::string& chain) const {
    return index_.find(chains_, chain);
  }
  // The chain's index, after creating it (empty) if it does not exist.
  Result<int> find_or_add(const std::string& chain) {
    const int found = find(chain);
    if (found >= 0) return found;
    const int idx = static_cast<int>(chains_.size());
    NA_RETURN_IF_ERROR(mark(idx));
    if (chain.empty() || chain.size() >= XT_EXTENSION_MAXNAMELEN)
      return invalid("table " + table_ + ": invalid chain name \"" + chain + "\"");
    ChainData c;
    c.name = chain;
    chains_.push_back(std::move(c));
    index_.insert(chains_, idx);
    return idx;
  }

  Error fail(const std::string& what, int err) const {
    return Error{ErrorCode::kInternal, "iptables table " + table_ + ": " + what + ": " + errno_text(err)};
  }

  // Takes the index and rules of the table we committed last, if the kernel's still looks like it.
  bool load_cached() {
    std::lock_guard guard(cache_->mu);
    auto it = cache_->tables.find(table_);
    bool used = false;
    if (it != cache_->tables.end()) {
      auto& image = *it->second.image;
      std::optional<CommittedImage::Lent> lent;
      if (image.has_index() && image.matches(info_)) lent = image.restore();
      used = lent.has_value();
      if (used) {
        ix_ = std::move(lent->index);
        chunks_ = std::move(lent->chunks);
        chunk_mem_.assign(chunks_.size(), nullptr);
      }
      if (used) lender_ = it->second.generation;
      else cache_->tables.erase(it);
    }
    cache_->last_open_cached[table_] = used;
    from_cache_ = used;
    return used;
  }
  std::vector<int> layout_order() const;
  // Jumps into each chain from other chains, so that deleting 10k stale chains does not scan the
  // whole table 10k times. Built at the first delete_chain(), then kept up to date.
  void build_refs() {
    refs_.assign(chains_.size(), 0);
    refs_built_ = true;
    for (size_t i = 0; i < chains_.size(); ++i) {
      if (!chains_[i].deleted) count_jumps(chains_[i].rules, static_cast<int>(i), +1);
    }
  }
  void count_jumps(const std::vector<RuleRef>& rules, int owner, int delta) {
    if (!refs_built_) return;
    if (refs_.size() < chains_.size()) refs_.resize(chains_.size(), 0);
    for (const auto& r : rules) {
      if (r.jump >= 0 && r.jump != owner) refs_[static_cast<size_t>(r.jump)] += delta;
    }
  }
  // Chain `idx` changes: its chunk of the cache must be rebuilt after the commit, from bytes
  // that must therefore be real.
  Status mark(int idx) {
    NA_RETURN_IF_ERROR(materialize(idx));
    dirty_ = true;
    const size_t k = static_cast<size_t>(idx) / CommittedImage::kChainsPerChunk;
    if (dirty_chunks_.size() <= k) dirty_chunks_.resize(k + 1, false);
    dirty_chunks_[k] = true;
    return ok_status();
  }
  // A chunk lent by the cache and not decompressed yet: its chains' rule pointers are relative
  // to chunks_[k].base, not real. Every chain of such a chunk is unchanged.
  bool is_virtual(size_t k) const { return k < chunks_.size() && !chunk_mem_[k]; }
  // Decompresses the chunk of chain `idx` (if still virtual) and points its chains at it.
  Status materialize(int idx) {
    const size_t k = static_cast<size_t>(idx) / CommittedImage::kChainsPerChunk;
    if (!is_virtual(k)) return ok_status();
    auto& chunk = chunks_[k];
    auto mem = std::make_shared<PageBuffer>(chunk.raw_size);
    if (!CommittedImage::decompress(chunk, mem->data()))
      return internal("iptables table " + table_ + ": cached chunk " + std::to_string(k) + " is corrupt");
    ix_.rebase(k * CommittedImage::kChainsPerChunk, (k + 1) * CommittedImage::kChainsPerChunk,
               reinterpret_cast<const uint8_t*>(chunk.base), chunk.raw_size, mem->data());
    chunk.base = reinterpret_cast<uintptr_t>(mem->data());
    chunk_mem_[k] = std::move(mem);
    return ok_status();
  }
  Status copy_virtual_chunks(uint8_t* out);
  void forget_cache();
  void remember(const ipt_replace& repl, std::vector<int> order);

  Status parse();
  Result<RuleRef> encode(const std::string& chain, const Rule& rule);
  Result<Rule> decode(const RuleRef& r) const;

  std::string table_;
  std::shared_ptr<XtablesLock> lock_;
  int fd_;
  std::shared_ptr<CommittedTables> cache_;
  ipt_getinfo info_{};
  // The bytes `ix_` points into: the kernel's entries (behind an ipt_get_entries header), or the
  // cache's chunks, and the arena.
  std::shared_ptr<PageBuffer> blob_;
  const uint8_t* image_ = nullptr;
  // From the cache: the compressed chunks of the index, and those decompressed so far.
  std::vector<CommittedImage::Chunk> chunks_;
  std::vector<std::shared_ptr<PageBuffer>> chunk_mem_;
  std::vector<bool> dirty_chunks_;
  TableIndex ix_;
  std::vector<ChainData>& chains_ = ix_.chains;
  ChainNameIndex& index_ = ix_.by_name;
  Arena arena_;
  EncodedRule scratch_;
  std::string last_jump_name_;
  int last_jump_ = -1;
  std::vector<int32_t> refs_;
  bool refs_built_ = false;
  bool from_cache_ = false;
  uint64_t lender_ = 0;  // generation of the cache entry the index came from
  bool dirty_ = false;
  bool committed_ = false;
};


}  // namespace kernel_table
}  // namespace nodeagent::network::iptables
