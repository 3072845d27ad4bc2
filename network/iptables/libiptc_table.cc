// libiptc implementation of TableEditor. libiptc resolves jumps by chain name at append time,
// so chains are created before rules that jump to them; it refuses to delete a chain that is
// still referenced (errno 31), so callers replace referencing rules first.
#include "network/iptables/libiptc_table.h"

#include <libiptc/libiptc.h>

#include <cerrno>
#include <optional>

#include "util/log.h"
#include "network/iptables/encode.h"
#include "network/iptables/xtables_lock.h"

namespace nodeagent::network::iptables {
namespace {

std::string iptc_error() { return iptc_strerror(errno); }

class LibiptcTable : public TableEditor {
 public:
  LibiptcTable(std::string table, std::shared_ptr<XtablesLock> lock, xtc_handle* handle)
      : table_(std::move(table)), lock_(std::move(lock)), handle_(handle) {}
  ~LibiptcTable() override {
    if (handle_) iptc_free(handle_);
  }

  const std::string& table_name() const override { return table_; }

  std::vector<std::string> chains() const override {
    std::vector<std::string> out;
    for (const char* c = iptc_first_chain(handle_); c; c = iptc_next_chain(handle_)) out.emplace_back(c);
    return out;
  }

  bool has_chain(const std::string& chain) const override { return iptc_is_chain(chain.c_str(), handle_); }

  Result<std::vector<Rule>> rules(const std::string& chain) const override {
    if (!has_chain(chain)) return not_found("table " + table_ + ": chain " + chain + " does not exist");
    std::vector<Rule> out;
    for (const ipt_entry* e = iptc_first_rule(chain.c_str(), handle_); e; e = iptc_next_rule(e, handle_)) {
      auto rule = decode_rule(e, iptc_get_target(e, handle_));
      if (!rule.ok()) return rule.error().wrap("table " + table_ + " chain " + chain + " rule " + std::to_string(out.size() + 1));
      out.push_back(std::move(rule).value());
    }
    return out;
  }

  Status ensure_chain(const std::string& chain) override {
    if (has_chain(chain)) return ok_status();
    if (!iptc_create_chain(chain.c_str(), handle_)) return fail("create chain " + chain);
    return ok_status();
  }

  Status replace_chain(const std::string& chain, const std::vector<Rule>& rules) override {
    NA_RETURN_IF_ERROR(ensure_chain(chain));
    if (!iptc_flush_entries(chain.c_str(), handle_)) return fail("flush chain " + chain);
    for (const auto& rule : rules) {
      auto enc = encode_rule(rule);
      if (!iptc_append_entry(chain.c_str(), reinterpret_cast<const ipt_entry*>(enc.bytes.data()), handle_))
        return fail("append to chain " + chain + " (jump " + enc.jump_chain + ")");
    }
    return ok_status();
  }

  Status ensure_rule(const std::string& chain, const Rule& rule, Position where) override {
    if (find_rule(chain, rule)) return ok_status();
    auto enc = encode_rule(rule);
    const auto* e = reinterpret_cast<const ipt_entry*>(enc.bytes.data());
    int ok = where == Position::kFirst ? iptc_insert_entry(chain.c_str(), e, 0, handle_)
                                       : iptc_append_entry(chain.c_str(), e, handle_);
    if (!ok) return fail("add rule to chain " + chain);
    return ok_status();
  }

  Status delete_rule(const std::string& chain, const Rule& rule) override {
    while (auto index = find_rule(chain, rule)) {
      if (!iptc_delete_num_entry(chain.c_str(), *index, handle_)) return fail("delete rule from chain " + chain);
    }
    return ok_status();
  }

  Status delete_chain(const std::string& chain) override {
    if (!has_chain(chain)) return ok_status();
    if (!iptc_flush_entries(chain.c_str(), handle_)) return fail("flush chain " + chain);
    if (!iptc_delete_chain(chain.c_str(), handle_)) return fail("delete chain " + chain);
    return ok_status();
  }

  Status commit() override {
    if (!iptc_commit(handle_)) return fail("commit");
    return ok_status();
  }

 private:
  // Index of the first rule equal to `rule`; foreign rules we cannot decode never match.
  std::optional<unsigned> find_rule(const std::string& chain, const Rule& rule) const {
    unsigned index = 0;
    for (const ipt_entry* e = iptc_first_rule(chain.c_str(), handle_); e; e = iptc_next_rule(e, handle_), ++index) {
      auto decoded = decode_rule(e, iptc_get_target(e, handle_));
      if (decoded.ok() && *decoded == rule) return index;
    }
    return std::nullopt;
  }

  Error fail(const std::string& what) const {
    return Error{ErrorCode::kInternal, "iptables table " + table_ + ": " + what + ": " + iptc_error()};
  }

  std::string table_;
  std::shared_ptr<XtablesLock> lock_;
  xtc_handle* handle_;
};

}  // namespace

Result<std::unique_ptr<TableEditor>> LibiptcIptables::open(const std::string& table) {
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
  xtc_handle* h = iptc_init(table.c_str());
  if (!h) return Error{ErrorCode::kUnavailable, "iptables table " + table + ": init: " + iptc_error()};
  return std::unique_ptr<TableEditor>(new LibiptcTable(table, std::move(lock), h));
}

}  // namespace nodeagent::network::iptables
