// --register-with-taints, --kube-reserved and --system-reserved (see node_flags.h).
#include "agent/cluster/node_flags.h"

#include "kube/names.h"

namespace nodeagent::cluster {
namespace {

// "a,b, c" -> {"a", "b", "c"}, empty pieces dropped.
std::vector<std::string> split_items(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t comma = item.find(',', start);
      if (comma == std::string::npos) comma = item.size();
      std::string piece = item.substr(start, comma - start);
      while (!piece.empty() && piece.front() == ' ') piece.erase(0, 1);
      while (!piece.empty() && piece.back() == ' ') piece.pop_back();
      if (!piece.empty()) out.push_back(piece);
      start = comma + 1;
    }
  }
  return out;
}

// k8s.io/kubernetes/pkg/util/taints parseTaint.
Result<Taint> parse_taint(const std::string& spec, const std::string& flag) {
  auto bad = [&](const std::string& why) { return invalid(flag + ": invalid taint spec: " + spec + ", " + why); };
  const auto colon = spec.find(':');
  if (colon == std::string::npos || spec.find(':', colon + 1) != std::string::npos) return bad("expected key[=value]:Effect");
  Taint t;
  t.effect = spec.substr(colon + 1);
  if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute")
    return bad("invalid taint effect: " + t.effect + ", unsupported taint effect");
  const std::string kv = spec.substr(0, colon);
  const auto eq = kv.find('=');
  t.key = kv.substr(0, eq);
  if (eq != std::string::npos) t.value = kv.substr(eq + 1);
  for (const auto& m : kube::is_qualified_name(t.key)) return bad("invalid taint key: " + m);
  if (!t.value.empty())
    for (const auto& m : kube::is_valid_label_value(t.value)) return bad("invalid taint value: " + m);
  return t;
}

}  // namespace

Result<std::vector<Taint>> parse_taints(const std::vector<std::string>& items, const std::string& flag) {
  std::vector<Taint> taints;
  for (const auto& spec : split_items(items)) {
    NA_ASSIGN_OR_RETURN(auto t, parse_taint(spec, flag));
    for (const auto& seen : taints)
      if (seen.key == t.key && seen.effect == t.effect)
        return invalid(flag + ": duplicated taints with the same key and effect: " + t.key + ":" + t.effect);
    taints.push_back(std::move(t));
  }
  return taints;
}

Result<ResourceAmounts> parse_reservation(const std::vector<std::string>& items, const std::string& flag) {
  ResourceAmounts out;
  for (const auto& item : split_items(items)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return invalid(flag + ": \"" + item + "\" must be RESOURCE=QUANTITY");
    const std::string name = item.substr(0, eq);
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pid")
      return invalid(flag + ": cannot reserve \"" + name + "\" resource");
    auto q = kube::parse_quantity(item.substr(eq + 1));
    if (!q.ok()) return invalid(flag + ": " + name + ": " + q.error().message);
    if (q->milli < 0) return invalid(flag + ": resource quantity for \"" + name + "\" cannot be negative: " + item.substr(eq + 1));
    out[name] = *q;
  }
  return out;
}

}  // namespace nodeagent::cluster
