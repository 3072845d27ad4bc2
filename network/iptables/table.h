// The iptables edge: open one table, edit only the chains you own, commit atomically.
// LibiptcTables (libiptc_table.h) is the real implementation; tests use a fake. Other users of
// the node's tables are left alone: nothing here flushes or deletes a chain it was not told to.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/result.h"
#include "network/iptables/rule.h"

namespace nodeagent::network::iptables {

// Where a rule goes when ensure_rule() has to add it to a chain.
enum class Position { kFirst, kLast };

// An open table; edits accumulate in memory and reach the kernel in one commit().
class TableEditor {
 public:
  virtual ~TableEditor() = default;

  virtual const std::string& table_name() const = 0;
  // Every chain of the table, built-in ones first.
  virtual std::vector<std::string> chains() const = 0;
  virtual bool has_chain(const std::string& chain) const = 0;
  // How many chains `counted` holds for; an implementation may do it without copying the names
  // (a full sync asks this of a table with 120k chains).
  virtual size_t count_chains(bool (*counted)(const std::string& chain)) const {
    size_t n = 0;
    for (const auto& chain : chains()) n += counted(chain) ? 1 : 0;
    return n;
  }
  // The rules of a chain as the kernel holds them; foreign extensions are an error naming them.
  virtual Result<std::vector<Rule>> rules(const std::string& chain) const = 0;

  // Creates the user chain if it does not exist.
  virtual Status ensure_chain(const std::string& chain) = 0;
  // Makes `chain` hold exactly `rules` (creating it if needed), in place: no gap after commit.
  virtual Status replace_chain(const std::string& chain, const std::vector<Rule>& rules) = 0;
  // Adds `rule` to a (usually built-in) chain unless an identical rule is already there.
  virtual Status ensure_rule(const std::string& chain, const Rule& rule, Position where) = 0;
  // Removes every rule of `chain` equal to `rule`.
  virtual Status delete_rule(const std::string& chain, const Rule& rule) = 0;
  // Flushes and deletes a user chain; fails (naming the chain) while something still jumps to it.
  virtual Status delete_chain(const std::string& chain) = 0;

  // True when the table, as opened (before this editor's own edits), is known to be the one this
  // process committed last, unchanged since (as far as the implementation can tell cheaply).
  virtual bool is_as_committed() const { return false; }

  // Replaces the kernel's table with the edited one, atomically. On error the kernel keeps the
  // previous table and this editor must be discarded.
  virtual Status commit() = 0;
};

class Iptables {
 public:
  virtual ~Iptables() = default;
  // Opens "nat", "filter", "mangle", ... holding the xtables lock until the editor is destroyed.
  virtual Result<std::unique_ptr<TableEditor>> open(const std::string& table) = 0;
  // Implementations may remember the tables they committed instead of reading them back; after
  // this call the next open() of every table reads the kernel's (e.g. on a full resync, so that
  // a foreign edit the cache could not notice does not outlive it).
  virtual void forget_cached_tables() {}
};

}  // namespace nodeagent::network::iptables
