// The node API without a control plane: off unless asked; with --enable-server, HTTPS on :10250
// (a self-signed serving certificate in <root>/pki) where only client certificates of
// --client-ca-file get in, /pods and /containerLogs answering for the static pods. kubelet's
// plain /healthz on 127.0.0.1:10248 answers in both. Each agent runs in a node netns of its own.
#include <catch2/catch.hpp>

#include <filesystem>

#include "test/e2e/agent/agent_harness.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;

namespace {

// curl inside the agent's netns: body, then the HTTP code on the last line ("000": no answer).
std::string curl(const AgentHarness& a, const std::string& args) {
  return run_command("nsenter --net=/run/netns/" + a.netns() + " curl -s --noproxy '*' --max-time 5 -w '\\n%{http_code}' " + args)
      .output;
}
std::string code_of(const std::string& out) { return out.substr(out.rfind('\n') + 1); }
std::string body_of(const std::string& out) { return out.substr(0, out.rfind('\n')); }

struct Pki {
  TempDir dir{"na-nodeapi-pki"};
  Pki() {
    const std::string d = dir.path();
    auto ec = [](const std::string& out, const std::string& subj) {
      return "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + out + ".key -subj '" + subj + "'";
    };
    std::string cmd = "set -e; cd " + d + "; " + ec("ca", "/CN=test-ca") + " -x509 -days 1 -out ca.crt 2>/dev/null; " +
                      ec("other-ca", "/CN=other-ca") + " -x509 -days 1 -out other-ca.crt 2>/dev/null; " +
                      ec("admin", "/O=admins/CN=admin") + " -out admin.csr 2>/dev/null; " +
                      "openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out admin.crt 2>/dev/null; " +
                      ec("stranger", "/CN=stranger") + " -out stranger.csr 2>/dev/null; " +
                      "openssl x509 -req -in stranger.csr -CA other-ca.crt -CAkey other-ca.key -CAcreateserial -days 1 "
                      "-out stranger.crt 2>/dev/null";
    REQUIRE(run_command(cmd).exit_code == 0);
  }
  std::string file(const std::string& n) const { return dir.file(n); }
};

const char* kHello =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\nspec:\n  containers:\n  - name: main\n"
    "    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
    "    command: [sh, -c, 'echo hi; echo there; exec sleep 3600']\n";

}  // namespace

TEST_CASE("standalone: the node API stays off unless asked; kubelet's healthz answers", "[e2e][nodeapi]") {
  AgentOptions o;
  o.node_netns = true;
  o.import_test_image = false;
  AgentHarness agent(o);
  REQUIRE(AgentHarness::eventually([&] { return code_of(curl(agent, "http://127.0.0.1:10248/healthz")) == "200"; }, 10s));
  CHECK(body_of(curl(agent, "http://127.0.0.1:10248/healthz")) == "ok");
  CHECK(code_of(curl(agent, "-k https://127.0.0.1:10250/healthz")) == "000");
}

TEST_CASE("standalone: --enable-server serves HTTPS to client certificates of --client-ca-file only", "[e2e][nodeapi]") {
  Pki pki;
  AgentOptions o;
  o.node_netns = true;
  o.extra_flags = {"--enable-server", "--client-ca-file", pki.file("ca.crt")};
  AgentHarness agent(o);
  agent.write_manifest("hello.yaml", kHello);
  const std::string pod = "hello-" + agent.node();
  const std::string admin = "-k --cert " + pki.file("admin.crt") + " --key " + pki.file("admin.key") + " ";
  REQUIRE(AgentHarness::eventually([&] { return code_of(curl(agent, admin + "https://127.0.0.1:10250/healthz")) == "200"; }, 20s));
  // kubelet's serving pair, self-signed, where kubelet keeps it.
  CHECK(std::filesystem::exists(agent.root_dir() + "/pki/kubelet.crt"));
  CHECK(std::filesystem::exists(agent.root_dir() + "/pki/kubelet.key"));
  CHECK(run_command("openssl x509 -in " + agent.root_dir() + "/pki/kubelet.crt -noout -ext subjectAltName").output.find(
            "DNS:" + agent.node()) != std::string::npos);

  std::string logs;
  REQUIRE(AgentHarness::eventually([&] {
    logs = curl(agent, admin + "'https://127.0.0.1:10250/containerLogs/default/" + pod + "/main'");
    return body_of(logs) == "hi\nthere\n";
  }, 60s));
  CHECK(code_of(logs) == "200");
  CHECK(body_of(curl(agent, admin + "'https://127.0.0.1:10250/containerLogs/default/" + pod + "/main?tailLines=1'")) == "there\n");
  auto missing = curl(agent, admin + "https://127.0.0.1:10250/containerLogs/default/nosuch/main");
  CHECK(code_of(missing) == "404");
  auto pods = curl(agent, admin + "https://127.0.0.1:10250/pods");
  CHECK(code_of(pods) == "200");
  CHECK(body_of(pods).find("\"name\":\"" + pod + "\"") != std::string::npos);

  auto none = curl(agent, "-k https://127.0.0.1:10250/pods");
  CHECK(code_of(none) == "401");
  CHECK(body_of(none) == "Unauthorized");
  CHECK(code_of(curl(agent, "-k --cert " + pki.file("stranger.crt") + " --key " + pki.file("stranger.key") +
                                " https://127.0.0.1:10250/pods")) == "401");
  CHECK(code_of(curl(agent, "-k -H 'Authorization: Bearer abc' https://127.0.0.1:10250/pods")) == "401");
  agent.remove_manifest("hello.yaml");
}
