// The x_tables blob, as the kernel expects it:
//   [built-in chains in hook order: rules..., policy]  [user chains: ERROR head, rules..., RETURN tail]  [ERROR end]
// Jumps are byte offsets to the first rule of the target chain; hook_entry/underflow give
// where each built-in chain starts and where its policy is. We parse that into chains of rule
// references (bytes + resolved jump target), edit, and lay it out again.
#include "network/iptables/kernel_table.h"

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
#include <string_view>

#include "network/iptables/committed_image.h"
#include "network/iptables/encode.h"
#include "network/iptables/kernel_table_index.h"
#include "network/iptables/page_buffer.h"
#include "network/iptables/xtables_lock.h"

namespace nodeagent::iptables {

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
  double last_compress_cpu = 0;
};

namespace {

const char* const kHookNames[NF_INET_NUMHOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};

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

std::string errno_text(int err) { return std::strerror(err); }

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
    else it->second.image->give_back(std::move(ix_));
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
      all_dirty_ = true;
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

  bool has_chain(const std::string& chain) const override { return find(chain) >= 0; }
  bool is_as_committed() const override { return from_cache_; }

  Result<std::vector<Rule>> rules(const std::string& chain) const override {
    int idx = find(chain);
    if (idx < 0) return not_found("table " + table_ + ": chain " + chain + " does not exist");
    std::vector<Rule> out;
    for (const auto& r : chains_[idx].rules) {
      auto rule = decode(r);
      if (!rule.ok()) return rule.error().wrap("table " + table_ + " chain " + chain + " rule " + std::to_string(out.size() + 1));
      out.push_back(std::move(rule).value());
    }
    return out;
  }

  Status ensure_chain(const std::string& chain) override {
    if (find(chain) >= 0) return ok_status();
    mark(static_cast<int>(chains_.size()));
    if (chain.empty() || chain.size() >= XT_EXTENSION_MAXNAMELEN)
      return invalid("table " + table_ + ": invalid chain name \"" + chain + "\"");
    ChainData c;
    c.name = chain;
    chains_.push_back(std::move(c));
    index_.insert(chains_, static_cast<int>(chains_.size()) - 1);
    return ok_status();
  }

  Status replace_chain(const std::string& chain, const std::vector<Rule>& rules) override {
    NA_RETURN_IF_ERROR(ensure_chain(chain));
    mark(find(chain));
    std::vector<RuleRef> refs;
    refs.reserve(rules.size());
    for (const auto& rule : rules) {
      NA_ASSIGN_OR_RETURN(RuleRef ref, encode(chain, rule));
      refs.push_back(ref);
    }
    chains_[find(chain)].rules = std::move(refs);
    return ok_status();
  }

  Status ensure_rule(const std::string& chain, const Rule& rule, Position where) override {
    int idx = find(chain);
    if (idx < 0) return not_found("table " + table_ + ": chain " + chain + " does not exist");
    for (const auto& r : chains_[idx].rules) {
      auto decoded = decode(r);
      if (decoded.ok() && *decoded == rule) return ok_status();
    }
    NA_ASSIGN_OR_RETURN(RuleRef ref, encode(chain, rule));
    mark(idx);
    auto& rules = chains_[idx].rules;
    rules.insert(where == Position::kFirst ? rules.begin() : rules.end(), ref);
    return ok_status();
  }

  Status delete_rule(const std::string& chain, const Rule& rule) override {
    int idx = find(chain);
    if (idx < 0) return ok_status();
    mark(idx);
    auto& rules = chains_[idx].rules;
    rules.erase(std::remove_if(rules.begin(), rules.end(),
                               [&](const RuleRef& r) {
                                 auto d = decode(r);
                                 return d.ok() && *d == rule;
                               }),
                rules.end());
    return ok_status();
  }

  Status delete_chain(const std::string& chain) override {
    int idx = find(chain);
    if (idx < 0) return ok_status();
    if (chains_[idx].hook >= 0) return invalid("table " + table_ + ": cannot delete built-in chain " + chain);
    for (const auto& c : chains_) {
      if (c.deleted || &c == &chains_[idx]) continue;
      for (const auto& r : c.rules) {
        if (r.jump == idx)
          return Error{ErrorCode::kFailedPrecondition,
                       "table " + table_ + ": delete chain " + chain + ": still referenced from chain " + c.name};
      }
    }
    mark(idx);
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
      used = image.has_index() && image.matches(info_) && image.restore(ix_, chunk_buffers_);
      if (used) lender_ = it->second.generation;
      else cache_->tables.erase(it);
    }
    cache_->last_open_cached[table_] = used;
    from_cache_ = used;
    return used;
  }
  std::vector<int> layout_order() const;
  // Chain `idx` changes: its chunk of the cache must be rebuilt after the commit.
  void mark(int idx) {
    dirty_ = true;
    const size_t k = static_cast<size_t>(idx) / CommittedImage::kChainsPerChunk;
    if (dirty_chunks_.size() <= k) dirty_chunks_.resize(k + 1, false);
    dirty_chunks_[k] = true;
  }
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
  CommittedImage::Sources chunk_buffers_;
  std::vector<bool> dirty_chunks_;
  bool all_dirty_ = false;  // read from the kernel: every chunk is new
  TableIndex ix_;
  std::vector<ChainData>& chains_ = ix_.chains;
  ChainNameIndex& index_ = ix_.by_name;
  Arena arena_;
  EncodedRule scratch_;
  std::string last_jump_name_;
  int last_jump_ = -1;
  bool from_cache_ = false;
  uint64_t lender_ = 0;  // generation of the cache entry the index came from
  bool dirty_ = false;
  bool committed_ = false;
};

Status KernelTable::parse() {
  const uint8_t* base = image_;
  const uint32_t size = info_.size;
  // (first-rule offset, chain index), in increasing offset order since chains follow each other.
  std::vector<std::pair<uint32_t, int>> chain_at;
  // Rough capacity: a user chain costs at least its head and tail entries.
  index_.reserve(chains_, info_.num_entries / 2 + 8);
  struct PendingJump {
    int chain;
    size_t rule;
    uint32_t target;
  };
  std::vector<PendingJump> jumps;
  int current = -1;
  int entry_index = 0;
  for (uint32_t off = 0; off < size; ++entry_index) {
    const auto* e = reinterpret_cast<const ipt_entry*>(base + off);
    if (e->next_offset < sizeof(ipt_entry) || off + e->next_offset > size)
      return internal("iptables table " + table_ + ": malformed entry at offset " + std::to_string(off));
    const auto* t = reinterpret_cast<const xt_entry_target*>(base + off + e->target_offset);
    const bool is_error = std::strcmp(t->u.user.name, XT_ERROR_TARGET) == 0;
    const bool is_standard = std::strcmp(t->u.user.name, XT_STANDARD_TARGET) == 0;

    for (int h = 0; h < NF_INET_NUMHOOKS; ++h) {
      if ((info_.valid_hooks & (1u << h)) && info_.hook_entry[h] == off) {
        ChainData c;
        c.name = kHookNames[h];
        c.hook = h;
        current = static_cast<int>(chains_.size());
        chain_at.emplace_back(off, current);
        chains_.push_back(std::move(c));
        index_.insert(chains_, current);
      }
    }
    if (is_error) {
      if (off + e->next_offset >= size) break;  // the end marker
      ChainData c;
      c.name = reinterpret_cast<const xt_error_target*>(t)->errorname;
      current = static_cast<int>(chains_.size());
      chain_at.emplace_back(off + e->next_offset, current);
      chains_.push_back(std::move(c));
      index_.insert(chains_, current);
      off += e->next_offset;
      continue;
    }
    if (current < 0) return internal("iptables table " + table_ + ": entry outside any chain at offset " + std::to_string(off));
    RuleRef ref{base + off, e->next_offset, 0, kNoJump, entry_index};
    if (is_standard) {
      ref.verdict_pos = static_cast<uint16_t>(e->target_offset + sizeof(xt_entry_target));
      int verdict = reinterpret_cast<const xt_standard_target*>(t)->verdict;
      if (verdict >= 0) {
        if (static_cast<uint32_t>(verdict) == off + e->next_offset) ref.jump = kFallthrough;
        else jumps.push_back({current, chains_[current].rules.size(), static_cast<uint32_t>(verdict)});
      }
    }
    ChainData& c = chains_[current];
    const bool is_policy = c.hook >= 0 && info_.underflow[c.hook] == off;
    // A user chain's last entry is its RETURN tail: unconditional, followed by an ERROR entry.
    bool is_tail = false;
    if (c.hook < 0 && is_standard && off + e->next_offset < size) {
      const auto* next = reinterpret_cast<const ipt_entry*>(base + off + e->next_offset);
      const auto* nt = reinterpret_cast<const xt_entry_target*>(reinterpret_cast<const uint8_t*>(next) + next->target_offset);
      is_tail = std::strcmp(nt->u.user.name, XT_ERROR_TARGET) == 0 &&
                reinterpret_cast<const xt_standard_target*>(t)->verdict == XT_RETURN && e->target_offset == sizeof(ipt_entry);
    }
    if (is_policy) {
      c.policy = ref;
      current = -1;
    } else if (is_tail) {
      current = -1;
    } else {
      c.rules.push_back(ref);
    }
    off += e->next_offset;
  }
  for (const auto& j : jumps) {
    auto it = std::lower_bound(chain_at.begin(), chain_at.end(), std::make_pair(j.target, -1));
    if (it == chain_at.end() || it->first != j.target)
      return internal("iptables table " + table_ + ": chain " + chains_[j.chain].name + ": jump to offset " +
                      std::to_string(j.target) + " that starts no chain");
    chains_[j.chain].rules[j.rule].jump = it->second;
  }
  for (size_t i = 0; i < chains_.size(); ++i) {
    if (chains_[i].hook < 0) ix_.user_order.push_back(static_cast<int>(i));
  }
  auto by_name = [&](int a, int b) { return chains_[a].name < chains_[b].name; };
  if (!std::is_sorted(ix_.user_order.begin(), ix_.user_order.end(), by_name))
    std::sort(ix_.user_order.begin(), ix_.user_order.end(), by_name);
  ix_.ordered_count = chains_.size();
  return ok_status();
}

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
  // Sorted as (name, index) pairs: a full sync into an empty table sorts 120k names, and the
  // comparisons then need not go through the chains.
  std::vector<std::pair<std::string_view, int>> keyed;
  for (size_t i = ix_.ordered_count; i < chains_.size(); ++i) {
    if (chains_[i].hook < 0 && !chains_[i].deleted) keyed.emplace_back(chains_[i].name, static_cast<int>(i));
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<int> added;
  added.reserve(keyed.size());
  for (const auto& k : keyed) added.push_back(k.second);
  std::vector<int> kept;
  kept.reserve(ix_.user_order.size());
  for (int idx : ix_.user_order) {
    if (!chains_[idx].deleted) kept.push_back(idx);
  }
  order.reserve(order.size() + kept.size() + added.size());
  std::merge(kept.begin(), kept.end(), added.begin(), added.end(), std::back_inserter(order), by_name);
  return order;
}

Result<RuleRef> KernelTable::encode(const std::string& chain, const Rule& rule) {
  EncodedRule& enc = scratch_;
  encode_rule_into(rule, JumpEncoding::kStandardVerdict, enc);
  RuleRef ref;
  ref.size = static_cast<uint16_t>(enc.bytes.size());
  ref.verdict_pos = static_cast<uint16_t>(enc.verdict_offset);
  if (!enc.jump_chain.empty()) {
    // Many rules jump to the same chain (every hairpin rule to KUBE-MARK-MASQ).
    if (enc.jump_chain != last_jump_name_ || last_jump_ < 0 || last_jump_ >= static_cast<int>(chains_.size()) ||
        chains_[last_jump_].deleted) {
      last_jump_name_ = enc.jump_chain;
      last_jump_ = find(enc.jump_chain);
    }
    ref.jump = last_jump_;
    if (ref.jump < 0 || chains_[ref.jump].hook >= 0)
      return not_found("iptables table " + table_ + ": chain " + chain + ": jump to missing chain " + enc.jump_chain);
  }
  ref.data = arena_.store(enc.bytes);
  return ref;
}

Result<Rule> KernelTable::decode(const RuleRef& r) const {
  const auto* e = reinterpret_cast<const ipt_entry*>(r.data);
  const auto* t = reinterpret_cast<const xt_entry_target*>(r.data + e->target_offset);
  std::string name = t->u.user.name;
  if (r.jump >= 0) {
    name = chains_[r.jump].name;
  } else if (r.verdict_pos) {
    int v = *reinterpret_cast<const int*>(r.data + r.verdict_pos);
    name = v == -NF_ACCEPT - 1 ? "ACCEPT" : v == -NF_DROP - 1 ? "DROP" : v == XT_RETURN ? "RETURN" : "";
  }
  return decode_rule(e, name);
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
  uint32_t pos = 0, n = 0;
  auto put_error = [&](const char* name) {
    std::memset(out + pos, 0, head_size);
    auto* e = reinterpret_cast<ipt_entry*>(out + pos);
    e->target_offset = sizeof(ipt_entry);
    e->next_offset = static_cast<uint16_t>(head_size);
    auto* t = reinterpret_cast<xt_error_target*>(out + pos + sizeof(ipt_entry));
    t->target.u.user.target_size = static_cast<uint16_t>(XT_ALIGN(sizeof(xt_error_target)));
    std::strcpy(t->target.u.user.name, XT_ERROR_TARGET);
    std::strncpy(t->errorname, name, sizeof t->errorname - 1);
    pos += head_size;
    ++n;
  };
  // The rule's entry index in the new table is where its counters will be next time.
  auto put_rule = [&](RuleRef& r) {
    std::memcpy(out + pos, r.data, r.size);
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
    if (c.hook < 0) put_error(c.name.c_str());
    for (auto& r : c.rules) {
      if (r.jump >= 0 && chains_[r.jump].deleted)
        return invalid("iptables table " + table_ + ": chain " + c.name + " jumps to deleted chain " + chains_[r.jump].name);
      put_rule(r);
    }
    if (c.hook >= 0) {
      put_rule(c.policy);
    } else {
      std::memset(out + pos, 0, tail_size);
      auto* e = reinterpret_cast<ipt_entry*>(out + pos);
      e->target_offset = sizeof(ipt_entry);
      e->next_offset = static_cast<uint16_t>(tail_size);
      auto* t = reinterpret_cast<xt_standard_target*>(out + pos + sizeof(ipt_entry));
      t->target.u.user.target_size = static_cast<uint16_t>(XT_ALIGN(sizeof(xt_standard_target)));
      t->verdict = XT_RETURN;
      pos += tail_size;
      ++n;
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
  CommittedImage::Sources sources = std::move(chunk_buffers_);
  if (blob_) sources.push_back(std::move(blob_));
  arena_.release_into(sources);
  std::lock_guard guard(cache_->mu);
  std::vector<CommittedImage::Chunk> chunks;
  auto it = cache_->tables.find(table_);
  // Clean chunks are reused only from the entry this index came from (another editor of the
  // same table may have replaced it meanwhile); otherwise every chunk is rebuilt.
  if (!all_dirty_ && it != cache_->tables.end() && it->second.generation == lender_) chunks = it->second.image->take_chunks();
  if (chunks.empty()) dirty_chunks_.clear();
  auto& entry = cache_->tables[table_];
  entry.image = std::make_unique<CommittedImage>(info, std::move(ix_), std::move(chunks), std::move(dirty_chunks_),
                                                 std::move(sources));
  entry.generation = cache_->next_generation++;
}

}  // namespace

Result<std::unique_ptr<TableEditor>> KernelIptables::open(const std::string& table) {
  std::shared_ptr<XtablesLock> lock;
  {
    std::lock_guard guard(mu_);
    lock = lock_.lock();
    if (!lock) {
      NA_ASSIGN_OR_RETURN(auto acquired, XtablesLock::acquire(lock_path_));
      lock = std::make_shared<XtablesLock>(std::move(acquired));
      lock_ = lock;
    }
  }
  int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) return errno_error("iptables table " + table + ": socket", errno);
  auto editor = std::make_unique<KernelTable>(table, std::move(lock), fd, cache_);
  NA_RETURN_IF_ERROR(editor->load());
  return std::unique_ptr<TableEditor>(std::move(editor));
}

KernelIptables::KernelIptables(std::string lock_path)
    : lock_path_(std::move(lock_path)), cache_(std::make_shared<CommittedTables>()) {}

KernelIptables::~KernelIptables() = default;

void KernelIptables::forget_cached_tables() {
  std::map<std::string, CommittedTables::Entry> dropped;
  {
    std::lock_guard guard(cache_->mu);
    dropped.swap(cache_->tables);
  }
}

bool KernelIptables::last_open_used_cache(const std::string& table) const {
  std::lock_guard guard(cache_->mu);
  auto it = cache_->last_open_cached.find(table);
  return it != cache_->last_open_cached.end() && it->second;
}

size_t KernelIptables::cached_image_bytes() const {
  std::lock_guard guard(cache_->mu);
  size_t bytes = 0;
  for (const auto& [name, entry] : cache_->tables) bytes += entry.image->image_bytes();
  return bytes;
}

double KernelIptables::last_compress_cpu() const {
  std::lock_guard guard(cache_->mu);
  double cpu = 0;
  for (const auto& [name, entry] : cache_->tables) cpu += entry.image->build_cpu();
  return cpu;
}

size_t KernelIptables::last_chunks_rebuilt(const std::string& table) const {
  std::lock_guard guard(cache_->mu);
  auto it = cache_->tables.find(table);
  return it == cache_->tables.end() ? 0 : it->second.image->chunks_rebuilt();
}

}  // namespace nodeagent::iptables
