// Encodes rule.h rules into the kernel's x_tables layout (struct ipt_entry followed by
// xt_entry_match blocks and one xt_entry_target), as the iptables extensions lay them out, and
// decodes such entries back (for the tracer and for comparing with what the kernel holds).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"
#include "network/iptables/rule.h"

struct ipt_entry;

namespace nodeagent::network::iptables {

// How jumps and verdicts are written: libiptc wants the chain name / "ACCEPT" in the target name
// and resolves offsets itself; a raw table blob needs the standard target ("") with a verdict.
enum class JumpEncoding { kByName, kStandardVerdict };

// One encoded ipt_entry. For kStandardVerdict jumps, `jump_chain` names the chain whose offset
// must still be written into the verdict at `verdict_offset` (offset inside `bytes`).
struct EncodedRule {
  std::vector<uint8_t> bytes;
  std::string jump_chain;
  size_t verdict_offset = 0;
};

EncodedRule encode_rule(const Rule& rule, JumpEncoding encoding = JumpEncoding::kByName);
// The same into `out`, reusing its buffers (a full sync encodes 350k rules at 10k Services).
void encode_rule_into(const Rule& rule, JumpEncoding encoding, EncodedRule& out);

// Decodes an entry; `target_name` is the chain name for jumps ("ACCEPT"/"DROP"/"RETURN" for
// verdicts), as libiptc's iptc_get_target reports it. Unknown extensions are an error naming them.
Result<Rule> decode_rule(const ipt_entry* entry, const std::string& target_name);

}  // namespace nodeagent::network::iptables
