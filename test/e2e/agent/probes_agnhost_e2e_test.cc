// Probes against upstream's own test server, agnhost (the control plane's release, built by
// scripts/controlplane/build-agnhost.sh into test/fixtures/images/build-agnhost-image.sh's
// image): a grpc readiness probe against `agnhost grpc-health-checking`, turned NOT_SERVING
// through its HTTP control endpoint; httpGet probes against `agnhost netexec`'s /redirect, to
// the same host (followed: the target's answer decides) and to another host (not followed: a
// success with kubelet's ProbeWarning event).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;

namespace {

const char* kAgnhost = "registry.k8s.io/e2e-test-images/agnhost:2.66.1";

void import_agnhost(const AgentHarness& agent) {
  agent.ns().import_image_archive(ContainerdFixture::agnhost_image_archive(), kAgnhost);
}

bool pod_ready(const nlohmann::json& pod) {
  if (pod.is_null()) return false;
  for (const auto& c : pod["status"].value("conditions", nlohmann::json::array()))
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  return false;
}

bool container_ready(const nlohmann::json& pod, const std::string& container) {
  auto st = container_status(pod, container);
  return !st.is_null() && st.value("ready", false);
}

// The messages of the pod's events with `reason` about `container` (involvedObject.fieldPath).
std::vector<std::string> event_messages(const AgentHarness& agent, const std::string& pod, const std::string& reason,
                                        const std::string& container) {
  std::vector<std::string> out;
  auto events = nlohmann::json::parse(agent.nodectl("events " + pod + "-" + agent.node() + " -o json").output,
                                      nullptr, false);
  if (!events.is_object()) return out;
  for (const auto& e : events.value("items", nlohmann::json::array())) {
    if (e.value("reason", "") != reason) continue;
    const auto& o = e.value("involvedObject", nlohmann::json::object());
    if (o.value("fieldPath", "") != "spec.containers{" + container + "}") continue;
    out.push_back(e.value("message", ""));
  }
  return out;
}

bool has_event(const AgentHarness& agent, const std::string& pod, const std::string& reason,
               const std::string& container, const std::string& message) {
  for (const auto& m : event_messages(agent, pod, reason, container))
    if (m == message) return true;
  return false;
}

// An agnhost container running `args`, with `probe` (indented under the container).
std::string agnhost_container(const std::string& name, const std::string& args, const std::string& probe) {
  return fmt::format(R"(  - name: {}
    image: {}
    imagePullPolicy: Never
    args: [{}]
{})",
                     name, kAgnhost, args, probe);
}

}  // namespace

TEST_CASE("a grpc readiness probe follows agnhost's health service, SERVING and NOT_SERVING", "[e2e][probes][agnhost]") {
  AgentHarness agent;
  import_agnhost(agent);
  agent.write_manifest("grpc.yaml", pod_yaml("grpc", "  terminationGracePeriodSeconds: 1\n  containers:\n" +
                                                         agnhost_container("health", R"("grpc-health-checking", "--port=5000", "--http-port=8080", "--service=web")",
                                                                           R"(    readinessProbe:
      grpc: {port: 5000, service: web}
      periodSeconds: 1
      failureThreshold: 1
)")));
  // The same server asked about a service it does not know: NotFound, never ready.
  agent.write_manifest("grpc-unknown.yaml",
                       pod_yaml("grpc-unknown", "  terminationGracePeriodSeconds: 1\n  containers:\n" +
                                                    agnhost_container("health", R"("grpc-health-checking", "--port=5000", "--service=web")",
                                                                      R"(    readinessProbe:
      grpc: {port: 5000, service: other}
      periodSeconds: 1
)")));
  REQUIRE(AgentHarness::eventually([&] { return pod_ready(agent.pod("grpc")); }, 60s));

  // agnhost's control endpoint, from inside the pod (busybox nc; its wget crashes here).
  auto control = [&](const std::string& path) {
    return agent.nodectl(fmt::format("exec grpc-{} -c health -- sh -c \"printf 'GET {} HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080\"",
                                     agent.node(), path));
  };
  auto r = control("/make-not-serving");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  REQUIRE(AgentHarness::eventually([&] { return !pod_ready(agent.pod("grpc")); }, 10s));
  CHECK_FALSE(container_ready(agent.pod("grpc"), "health"));
  CHECK(has_event(agent, "grpc", "Unhealthy", "health",
                  "Readiness probe failed: service unhealthy (responded with \"NOT_SERVING\")"));
  REQUIRE(control("/make-serving").exit_code == 0);
  REQUIRE(AgentHarness::eventually([&] { return pod_ready(agent.pod("grpc")); }, 10s));

  REQUIRE(AgentHarness::eventually(
      [&] {
        return has_event(agent, "grpc-unknown", "Unhealthy", "health",
                         "Readiness probe failed: error: health rpc probe failed: rpc error: code = NotFound desc = unknown service");
      },
      30s));
  CHECK_FALSE(pod_ready(agent.pod("grpc-unknown")));
}

TEST_CASE("httpGet probes follow agnhost's redirects to the same host only", "[e2e][probes][agnhost]") {
  AgentHarness agent;
  import_agnhost(agent);
  // Without pod networking the probes go to 127.0.0.1 in the pod's namespace. netexec's UDP
  // server is off: its default port would clash between the containers.
  auto netexec = [](int port) { return fmt::format(R"("netexec", "--http-port={}", "--udp-port=-1")", port); };
  auto probe = [](int port, const std::string& path) {
    return fmt::format(R"(    readinessProbe:
      httpGet: {{port: {}, path: "{}"}}
      periodSeconds: 1
      failureThreshold: 1
)",
                       port, path);
  };
  agent.write_manifest(
      "redirects.yaml",
      pod_yaml("redirects",
               "  terminationGracePeriodSeconds: 1\n  containers:\n" +
                   // Same host, to a 200: ready, and no warning (the redirect was followed).
                   agnhost_container("same", netexec(8080), probe(8080, "/redirect?location=/echo%3Fmsg%3Dtarget")) +
                   // Same host (absolute URL, another port), to a 503: the target's answer fails it.
                   agnhost_container("same-down", netexec(8081),
                                     probe(8081, "/redirect?location=http%3A%2F%2F127.0.0.1%3A8080%2Fecho%3Fcode%3D503")) +
                   // Another host: not followed; a success with a ProbeWarning.
                   agnhost_container("other", netexec(8082),
                                     probe(8082, "/redirect?location=http%3A%2F%2F127.0.0.2%3A8082%2Fecho"))));
  REQUIRE(AgentHarness::eventually(
      [&] {
        auto pod = agent.pod("redirects");
        return container_ready(pod, "same") && container_ready(pod, "other");
      },
      60s));
  REQUIRE(AgentHarness::eventually(
      [&] {
        return has_event(agent, "redirects", "Unhealthy", "same-down",
                         "Readiness probe failed: HTTP probe failed with statuscode: 503");
      },
      20s));
  auto pod = agent.pod("redirects");
  CHECK_FALSE(container_ready(pod, "same-down"));
  CHECK_FALSE(pod_ready(pod));
  // Go's http.Redirect body for a GET, as kubelet quotes it.
  CHECK(has_event(agent, "redirects", "ProbeWarning", "other",
                  "Readiness probe warning: Probe terminated redirects, Response body: "
                  "<a href=\"http://127.0.0.2:8082/echo\">Found</a>.\n\n"));
  CHECK(event_messages(agent, "redirects", "ProbeWarning", "same").empty());
  CHECK(event_messages(agent, "redirects", "ProbeWarning", "same-down").empty());
}
