#include "agent/pods/container_ids.h"

#include "util/sha256.h"

#include <csignal>
#include <map>

namespace nodeagent::pods {

std::string container_id_for(const std::string& pod_uid, const std::string& container, uint32_t attempt) {
  return sha256_hex(pod_uid + "/" + container + "/" + std::to_string(attempt), 32);
}

int signal_number(const std::string& name) {
  static const std::map<std::string, int> names = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
      {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"STOP", SIGSTOP}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR}};
  if (name.empty()) return SIGTERM;
  if (name.find_first_not_of("0123456789") == std::string::npos) {
    int n = std::stoi(name);
    return n > 0 && n < 65 ? n : SIGTERM;
  }
  auto key = name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
  auto it = names.find(key);
  return it == names.end() ? SIGTERM : it->second;
}

}  // namespace nodeagent::pods
