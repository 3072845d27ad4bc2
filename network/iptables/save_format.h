// Prints rules exactly as `iptables-legacy-save` prints them ("-A CHAIN -d 10.0.0.1/32 -p tcp -m
// comment --comment ..."), so golden tests read like kube-proxy's rules and can be compared with
// the kernel's view of the same rules.
#pragma once

#include <string>
#include <vector>

#include "network/iptables/rule.h"

namespace nodeagent::network::iptables {

// "-A <chain> <rule>"
std::string format_rule(const std::string& chain, const Rule& rule);
// The rule without "-A <chain>", e.g. "-p tcp -m tcp --dport 80 -j KUBE-SVC-X".
std::string format_rule_spec(const Rule& rule);
// iptables-save's quoting of a comment or other string argument (leading space included).
std::string save_string(const std::string& value);

}  // namespace nodeagent::network::iptables
