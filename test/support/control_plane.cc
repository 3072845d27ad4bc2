#include "test/support/control_plane.h"

#include <unistd.h>

#include <catch2/catch.hpp>

namespace nodeagent::testing {
namespace {

std::string scripts() { return std::string(NODEAGENT_SOURCE_DIR) + "/scripts/controlplane"; }

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

ControlPlane::ControlPlane() : name_("e2e" + std::to_string(::getpid())) {
  auto built = run_command(scripts() + "/build.sh 2>&1");
  INFO(built.output);
  REQUIRE(built.exit_code == 0);
  auto up = script("up 2>&1");
  if (up.exit_code != 0) {
    script("down >/dev/null 2>&1");
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
  }
}

ControlPlane::~ControlPlane() { script("down >/dev/null 2>&1"); }

CommandResult ControlPlane::script(const std::string& args) const {
  return run_command("NODEAGENT_CP_NAME=" + name_ + " " + scripts() + "/cluster.sh " + args);
}

std::string ControlPlane::dir() const {
  auto env = script("env");
  auto pos = env.output.find("NODEAGENT_CP_DIR=");
  if (pos == std::string::npos) return "/run/nodeagent-cp/" + name_;
  auto end = env.output.find('\n', pos);
  auto value = env.output.substr(pos + 17, end - pos - 17);
  if (!value.empty() && (value.front() == '\'' || value.front() == '"')) value = value.substr(1, value.size() - 2);
  return value;
}

std::string ControlPlane::node_kubeconfig(const std::string& node) const {
  auto made = script("node-kubeconfig " + node + " 2>&1");
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  return dir() + "/nodes/" + node + "/kubeconfig";
}

void ControlPlane::connect(const std::string& netns, const std::string& ip) const {
  auto done = script("connect " + netns + " " + ip + " 2>&1");
  INFO(done.output);
  REQUIRE(done.exit_code == 0);
}

CommandResult ControlPlane::kubectl(const std::string& args) const { return script("kubectl " + args + " 2>&1"); }

nlohmann::json ControlPlane::get_json(const std::string& args) const {
  auto r = script("kubectl get " + args + " -o json 2>/dev/null");
  if (r.exit_code != 0) return nullptr;
  auto doc = nlohmann::json::parse(r.output, nullptr, false);
  return doc.is_discarded() ? nlohmann::json() : doc;
}

CommandResult ControlPlane::apply(const std::string& yaml) const {
  return run_command("printf '%s' " + quote(yaml) + " | NODEAGENT_CP_NAME=" + name_ + " " + scripts() +
                     "/cluster.sh kubectl apply -f - 2>&1");
}

}  // namespace nodeagent::testing
