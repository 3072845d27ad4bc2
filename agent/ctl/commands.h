// nodectl's verbs: each takes its parsed arguments, calls the agent, prints, and returns the
// process exit code (0 ok, 1 error with one "nodectl: ..." line on stderr; exec passes the
// command's own exit code through, 124 when it timed out).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/ctl/client.h"

namespace nodeagent::ctl {

struct PodsArgs {
  std::string namespace_name;
  bool all_namespaces = false;
  std::string selector;
  std::string output;  // "" (table) | wide | json | yaml
};
struct PsArgs {
  bool all = false;
  std::string pod;
  bool quiet = false;  // ids only
};
struct LogsArgs {
  std::string pod, container;
  bool follow = false, previous = false, timestamps = false;
  int64_t tail = -1;
};
struct ExecArgs {
  std::string pod, container;
  int32_t timeout_seconds = 0;
  std::vector<std::string> command;
};

int run_pods(Client& client, const PodsArgs& args);
int run_ps(Client& client, const PsArgs& args);
int run_inspectp(Client& client, const std::string& pod, const std::string& output);
int run_inspect(Client& client, const std::string& container, const std::string& output);
int run_logs(Client& client, const LogsArgs& args);
int run_exec(Client& client, const ExecArgs& args);
int run_images(Client& client, bool quiet);
int run_pull(Client& client, const std::string& image, const std::string& creds);
int run_import(Client& client, const std::string& file, const std::string& name);
int run_rmi(Client& client, const std::vector<std::string>& images);
int run_events(Client& client, const std::string& pod, const std::string& output);
int run_probes(Client& client, const std::string& pod, const std::string& output);
int run_services(Client& client, const std::string& output);
int run_trace(Client& client, const std::string& target);
int run_version(Client& client);

// Prints "nodectl: <message>" on stderr and returns 1.
int fail(const std::string& message);

}  // namespace nodeagent::ctl
