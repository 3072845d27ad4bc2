#include "agent/kube/expand.h"

namespace nodeagent::kube {

std::string expand_vars(std::string_view in, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 >= in.size()) {
      out += in[i];
      continue;
    }
    char next = in[i + 1];
    if (next == '$') {  // escaped: "$$" -> "$"
      out += '$';
      ++i;
      continue;
    }
    if (next == '(') {
      auto close = in.find(')', i + 2);
      if (close == std::string_view::npos) {  // unterminated: kept as written
        out.append(in.substr(i));
        break;
      }
      std::string name(in.substr(i + 2, close - i - 2));
      auto it = vars.find(name);
      if (it != vars.end()) out += it->second;
      else out.append(in.substr(i, close - i + 1));
      i = close;
      continue;
    }
    out += '$';  // a lone $ stays
  }
  return out;
}

}  // namespace nodeagent::kube
