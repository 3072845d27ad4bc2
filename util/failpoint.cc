// failpoint(): the list is read once, at the first call.
#include "util/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "util/log.h"

namespace nodeagent {

namespace {

const std::set<std::string, std::less<>>& enabled_failpoints() {
  static const auto points = [] {
    std::set<std::string, std::less<>> out;
    const char* env = std::getenv("NODEAGENT_FAILPOINTS");
    std::stringstream list(env ? env : "");
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) out.insert(name);
    return out;
  }();
  return points;
}

}  // namespace

void failpoint(std::string_view name) {
  const auto& points = enabled_failpoints();
  if (points.empty() || !points.count(name)) return;
  log::get("agent")->warn("failpoint {}: SIGKILL", name);
  log::get("agent")->flush();
  ::kill(::getpid(), SIGKILL);
}

}  // namespace nodeagent
