// KernelIptables, and the editor's reading, parsing and editing of a table (kernel_table_editor.h);
// its layout and commit are in kernel_table_layout.cc.
#include "network/iptables/kernel_table.h"

#include "network/iptables/kernel_table_editor.h"

namespace nodeagent::network::iptables {
namespace kernel_table {

Status KernelTable::parse() {
  const uint8_t* base = image_;
  const uint32_t size = info_.size;
  // (first-rule offset, chain index), in increasing offset order since chains follow each other.
  std::vector<std::pair<uint32_t, int>> chain_at;
  // Rough capacity: a user chain costs at least its head and tail entries.
  index_.reserve(info_.num_entries / 2 + 8);
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

}  // namespace kernel_table

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
  auto editor = std::make_unique<kernel_table::KernelTable>(table, std::move(lock), fd, cache_);
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

}  // namespace nodeagent::network::iptables
