// Capability sets (see capabilities.h).
#include "runtime/oci/capabilities.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace nodeagent::runtime::oci {

const std::vector<std::string>& default_capabilities() {
  // containerd pkg/oci/spec.go defaultUnixCaps(), identical to Docker's default set.
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE",     "CAP_FSETID",      "CAP_FOWNER", "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",          "CAP_SETUID",      "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",    "CAP_AUDIT_WRITE",
  };
  return caps;
}

const std::vector<std::string>& all_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",           "CAP_DAC_OVERRIDE",  "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
      "CAP_FSETID",          "CAP_KILL",          "CAP_SETGID",          "CAP_SETUID",
      "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
      "CAP_NET_ADMIN",       "CAP_NET_RAW",       "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
      "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",     "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
      "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",     "CAP_SYS_BOOT",        "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",      "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
      "CAP_LEASE",           "CAP_AUDIT_WRITE",   "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
      "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",     "CAP_SYSLOG",          "CAP_WAKE_ALARM",
      "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",    "CAP_PERFMON",         "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE",
  };
  return caps;
}

Result<std::string> normalize_capability(const std::string& name) {
  std::string upper;
  upper.reserve(name.size() + 4);
  for (char c : name) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper == "ALL" || upper == "CAP_ALL") return std::string("ALL");
  if (upper.rfind("CAP_", 0) != 0) upper = "CAP_" + upper;
  const auto& all = all_capabilities();
  if (std::find(all.begin(), all.end(), upper) == all.end()) {
    return invalid(fmt::format("unknown capability \"{}\"", name));
  }
  return upper;
}

namespace {

// Normalises one add/drop list, naming the bad entry's index in errors.
Result<std::vector<std::string>> normalize_list(const std::vector<std::string>& names, const char* field) {
  std::vector<std::string> out;
  for (size_t i = 0; i < names.size(); ++i) {
    auto cap = normalize_capability(names[i]);
    if (!cap.ok()) {
      return cap.error().wrap(fmt::format("securityContext.capabilities.{}[{}]", field, i));
    }
    out.push_back(std::move(cap).value());
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::vector<std::string> capabilities_from_mask(uint64_t mask) {
  std::vector<std::string> caps;
  const auto& all = all_capabilities();
  for (size_t bit = 0; bit < all.size(); ++bit) {
    if (mask & (uint64_t{1} << bit)) caps.push_back(all[bit]);
  }
  return caps;
}

Result<std::vector<std::string>> compute_capabilities(const SecurityConfig& security,
                                                      const std::vector<std::string>& available) {
  const auto& all = available.empty() ? all_capabilities() : available;
  if (security.privileged) return all;
  NA_ASSIGN_OR_RETURN(auto adds, normalize_list(security.capabilities_add, "add"));
  NA_ASSIGN_OR_RETURN(auto drops, normalize_list(security.capabilities_drop, "drop"));

  const auto& defaults = default_capabilities();
  std::set<std::string> caps(defaults.begin(), defaults.end());
  // Same order as the CRI plugin (setOCICapabilities), so that e.g. add [ALL] + drop [CHOWN]
  // means "everything but CHOWN" and drop [ALL] + add [NET_BIND_SERVICE] means "only that one".
  if (contains(adds, "ALL")) caps.insert(all.begin(), all.end());
  if (contains(drops, "ALL")) caps.clear();
  for (const auto& c : adds) {
    if (c != "ALL") caps.insert(c);
  }
  for (const auto& c : drops) {
    if (c != "ALL") caps.erase(c);
  }

  std::vector<std::string> ordered;
  for (const auto& c : all_capabilities()) {
    if (caps.count(c)) ordered.push_back(c);
  }
  return ordered;
}

}  // namespace nodeagent::runtime::oci
