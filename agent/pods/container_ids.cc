#include "agent/pods/container_ids.h"

#include "util/sha256.h"

#include <csignal>
#include <map>
#include <tuple>

namespace nodeagent::pods {

std::string container_id_for(const std::string& pod_uid, const std::string& container, uint32_t attempt) {
  return sha256_hex(pod_uid + "/" + container + "/" + std::to_string(attempt), 32);
}

namespace {

// Every name lifecycle.stopSignal accepts (upstream's supportedStopSignalsLinux) and images use.
const std::map<std::string, int>& signal_names() {
  static const std::map<std::string, int> names = {
      {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},       {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},
      {"CONT", SIGCONT}, {"FPE", SIGFPE},   {"HUP", SIGHUP},       {"ILL", SIGILL},       {"INT", SIGINT},
      {"IO", SIGIO},     {"IOT", SIGIOT},   {"KILL", SIGKILL},     {"PIPE", SIGPIPE},     {"POLL", SIGPOLL},
      {"PROF", SIGPROF}, {"PWR", SIGPWR},   {"QUIT", SIGQUIT},     {"SEGV", SIGSEGV},     {"STKFLT", SIGSTKFLT},
      {"STOP", SIGSTOP}, {"SYS", SIGSYS},   {"TERM", SIGTERM},     {"TRAP", SIGTRAP},     {"TSTP", SIGTSTP},
      {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},       {"USR1", SIGUSR1},     {"USR2", SIGUSR2},
      {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}};
  return names;
}

}  // namespace

int signal_number(const std::string& name) {
  const auto& names = signal_names();
  if (name.empty()) return SIGTERM;
  if (name.find_first_not_of("0123456789") == std::string::npos) {
    int n = std::stoi(name);
    return n > 0 && n < 65 ? n : SIGTERM;
  }
  auto key = name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
  // Real-time signals: RTMIN, RTMIN+n, RTMAX, RTMAX-n.
  for (const auto& [prefix, base, sign] : {std::tuple{"RTMIN", SIGRTMIN, 1}, std::tuple{"RTMAX", SIGRTMAX, -1}}) {
    const std::string p = prefix;
    if (key.rfind(p, 0) != 0) continue;
    auto rest = key.substr(p.size());
    if (rest.empty()) return base;
    if (rest.size() < 2 || rest[0] != (sign > 0 ? '+' : '-') || rest.find_first_not_of("0123456789", 1) != std::string::npos)
      return SIGTERM;
    int n = base + sign * std::stoi(rest.substr(1));
    return n >= SIGRTMIN && n <= SIGRTMAX ? n : SIGTERM;
  }
  auto it = names.find(key);
  return it == names.end() ? SIGTERM : it->second;
}

std::string signal_name(int number) {
  // The aliases (CLD, IOT, POLL) share a number with the names v1.Signal uses.
  for (const char* alias_free : {"CHLD", "ABRT", "IO"})
    if (signal_names().at(alias_free) == number) return std::string("SIG") + alias_free;
  for (const auto& [name, n] : signal_names())
    if (n == number) return "SIG" + name;
  if (number == SIGRTMIN) return "SIGRTMIN";
  if (number == SIGRTMAX) return "SIGRTMAX";
  if (number > SIGRTMIN && number < SIGRTMAX) {
    // Upstream names the lower half from RTMIN up and the upper half from RTMAX down.
    if (number - SIGRTMIN <= SIGRTMAX - number) return "SIGRTMIN+" + std::to_string(number - SIGRTMIN);
    return "SIGRTMAX-" + std::to_string(SIGRTMAX - number);
  }
  return "SIGTERM";
}

std::string effective_stop_signal(const kube::Container& container, const runtime::ImageInfo& image) {
  if (container.lifecycle && container.lifecycle->stop_signal) return *container.lifecycle->stop_signal;
  return signal_name(signal_number(image.config.stop_signal));  // "" -> SIGTERM
}

}  // namespace nodeagent::pods
