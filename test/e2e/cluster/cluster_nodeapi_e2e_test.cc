// The node API through the real control plane: kubectl logs (-f, --tail, --since, --previous,
// --timestamps) reach /containerLogs through the API server's kubelet client; /stats/summary
// through `get --raw .../proxy/` matches the cgroup files; a user without RBAC gets kubelet's
// 403, an anonymous request 401; /metrics, /metrics/resource and /metrics/probes parse with
// prometheus_client and move as pods start; kube-proxy's healthz, livez and metrics answer in the
// node's netns, and a healthCheckNodePort answers 503 / 200 / 503 as local endpoints come and go.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "test/e2e/cluster/joined_node.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::testing;
using namespace nodeagent::cluster::testing;

namespace {

const std::string kClusterSh = NODEAGENT_SOURCE_DIR "/scripts/controlplane/cluster.sh";
const std::string kPromParse = NODEAGENT_SOURCE_DIR "/test/e2e/cluster/prom_parse.py";

std::string cp_env(const std::string& name, const std::string& key) {
  std::string env = sh(kClusterSh + " env --name " + name);
  auto pos = env.find(key + "=");
  if (pos == std::string::npos) return "";
  std::string v = env.substr(pos + key.size() + 1, env.find('\n', pos) - pos - key.size() - 1);
  if (v.size() >= 2 && v.front() == '\'') v = v.substr(1, v.size() - 2);
  return v;
}

std::string ca_file() { return cp_env(ControlPlane::shared().name(), "CA"); }

// HTTPS to the node API from the control plane's netns (another machine); returns body + "\n" + code.
std::string node_api(const ControlPlane& cp, const std::string& path, const std::string& token = "") {
  std::string auth = token.empty() ? "" : " -H 'Authorization: Bearer " + token + "'";
  return sh("nsenter --net=/run/netns/nacp-" + cp.name() + " curl -sk --noproxy '*' --max-time 10 -w '\\n%{http_code}'" +
            auth + " https://" + std::string(kNodeIp) + ":10250" + path);
}

std::string in_node(const JoinedNode& n, const std::string& cmd) { return sh("nsenter --net=" + n.netns->path() + " " + cmd); }

int http_code(const std::string& out) { return std::atoi(out.substr(out.rfind('\n') + 1).c_str()); }
std::string http_body(const std::string& out) { return out.substr(0, out.rfind('\n')); }

// Samples parsed by prometheus_client: [family, sample, labels, value].
nlohmann::json parse_prometheus(const std::string& text) {
  TempDir dir("na-prom");
  dir.write("m.txt", text);
  // Debian's python3 (python3-prometheus-client), not one a PATH may put first.
  auto out = sh("/usr/bin/python3 " + kPromParse + " < " + dir.file("m.txt"));
  auto j = nlohmann::json::parse(out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::array() : j;
}
bool has_family(const nlohmann::json& samples, const std::string& family) {
  for (const auto& s : samples)
    if (s[0] == family) return true;
  return false;
}
// The sum of the samples named `sample` whose labels include `labels`.
double sample_sum(const nlohmann::json& samples, const std::string& sample, const nlohmann::json& labels = nlohmann::json::object()) {
  double sum = 0;
  for (const auto& s : samples) {
    if (s[1] != sample) continue;
    bool match = true;
    for (const auto& [k, v] : labels.items()) match = match && s[2].value(k, "") == v;
    if (match) sum += s[3].get<double>();
  }
  return sum;
}

std::string raw(const JoinedNode& n, const std::string& path, int* rc = nullptr) {
  return n.cp.kubectl("get --raw /api/v1/nodes/" + n.node + "/proxy" + path + " 2>&1", rc);
}

uint64_t cgroup_number(const std::string& file) {
  std::ifstream in(file);
  uint64_t v = 0;
  in >> v;
  return v;
}
uint64_t memory_stat(const std::string& dir, const std::string& key) {
  std::ifstream in(dir + "/memory.stat");
  std::string k;
  uint64_t v;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}
// The cgroup v1 directory of a container, found by its id under `hierarchy`.
std::string container_cgroup(const std::string& hierarchy, const std::string& id) {
  auto out = sh("find /sys/fs/cgroup/" + hierarchy + " -maxdepth 7 -type d -name " + id + " | head -1");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string talker_yaml(const std::string& node) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: talker\n  namespace: default\nspec:\n  nodeName: " + node +
         "\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 1\n  containers:\n"
         "  - name: main\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
         "    command: [sh, -c, 'for i in 1 2 3 4 5; do echo line-$i; done; exec sleep 3600']\n"
         "    readinessProbe: {exec: {command: ['true']}, periodSeconds: 1}\n"
         "  - name: ticker\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
         "    command: [sh, -c, 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 1; done']\n";
}

// Restarts once: attempt-1 exits 1, attempt-2 stays (an emptyDir counts the attempts).
std::string crasher_yaml(const std::string& node) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crasher\n  namespace: default\nspec:\n  nodeName: " + node +
         "\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 1\n  volumes: [{name: d, emptyDir: {}}]\n"
         "  containers:\n  - name: main\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
         "    volumeMounts: [{name: d, mountPath: /d}]\n"
         "    command: [sh, -c, 'n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /d/n; echo attempt-$n; "
         "if [ $n -ge 2 ]; then exec sleep 3600; fi; exit 1']\n";
}

int restart_count(const ControlPlane& cp, const std::string& pod) {
  auto p = api_pod(cp, pod);
  if (!p.is_object()) return -1;
  for (const auto& cs : p["status"].value("containerStatuses", nlohmann::json::array())) return cs.value("restartCount", 0);
  return -1;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("cluster: kubectl logs, stats, metrics and the node API's authentication through the API server", "[cluster][nodeapi]") {
  const std::string ca = ca_file();
  REQUIRE(!ca.empty());
  JoinedNode n({"--client-ca-file", ca});
  REQUIRE(n.wait_ready());
  auto node = n.cp.kubectl_json("get node " + n.node);
  CHECK(node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 10250);

  // Metrics before the pods, to see them move.
  auto before = parse_prometheus(raw(n, "/metrics"));
  REQUIRE(has_family(before, "kubelet_running_pods"));
  const double started_before = sample_sum(before, "kubelet_pod_start_duration_seconds_count");

  n.cp.apply(talker_yaml(n.node));
  n.cp.apply(crasher_yaml(n.node));
  REQUIRE(eventually(90, [&] { return phase(n.cp, "talker") == "Running"; }));

  {  // logs
    std::string out;
    REQUIRE(eventually(20, [&] { return (out = n.cp.kubectl("logs talker -c main")).find("line-5") != std::string::npos; }));
    CHECK(out == "line-1\nline-2\nline-3\nline-4\nline-5\n");
    CHECK(n.cp.kubectl("logs talker -c main --tail=2") == "line-4\nline-5\n");
    CHECK(n.cp.kubectl("logs talker -c main --limit-bytes=8") == "line-1\nl");
    auto stamped = lines_of(n.cp.kubectl("logs talker -c main --timestamps"));
    REQUIRE(stamped.size() == 5);
    CHECK(std::regex_match(stamped[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line-1)")));

    // --since: only the last seconds of a container that ticks every second.
    REQUIRE(eventually(30, [&] { return lines_of(n.cp.kubectl("logs talker -c ticker")).size() >= 8; }));
    auto recent = lines_of(n.cp.kubectl("logs talker -c ticker --since=3s"));
    auto all = lines_of(n.cp.kubectl("logs talker -c ticker"));
    CHECK(!recent.empty());
    CHECK(recent.size() <= 5);
    CHECK(recent.size() < all.size());

    // -f: lines written after the request reach the client as they come.
    const std::string last_before = lines_of(n.cp.kubectl("logs talker -c ticker --tail=1")).at(0);
    auto followed = lines_of(sh("timeout 5 " + kClusterSh + " kubectl --name " + n.cp.name() + " logs -f talker -c ticker --tail=1"));
    REQUIRE(followed.size() >= 3);
    const int first = std::stoi(followed.front().substr(5)), last = std::stoi(followed.back().substr(5));
    CHECK(first >= std::stoi(last_before.substr(5)));
    CHECK(last - first >= 2);  // seconds of ticks that did not exist when the follow began

    // --previous: the first attempt's output, while the second one runs.
    REQUIRE(eventually(60, [&] { return restart_count(n.cp, "crasher") == 1 && phase(n.cp, "crasher") == "Running"; }));
    CHECK(eventually(10, [&] { return n.cp.kubectl("logs crasher") == "attempt-2\n"; }));
    CHECK(n.cp.kubectl("logs crasher --previous") == "attempt-1\n");
    int rc = 0;
    auto missing = n.cp.kubectl("logs talker -c nosuch 2>&1", &rc);
    CHECK(rc != 0);
    CHECK(missing.find("nosuch") != std::string::npos);
  }

  {  // authentication and authorization
    auto anon = node_api(n.cp, "/pods");
    CHECK(http_code(anon) == 401);
    CHECK(http_body(anon) == "Unauthorized");
    // A service account without RBAC rights on nodes: its token passes TokenReview, the SAR refuses.
    const std::string token = n.cp.kubectl("create token default 2>/dev/null");
    REQUIRE(token.size() > 20);
    const std::string t = token.substr(0, token.find_last_not_of("\n") + 1);
    auto denied = node_api(n.cp, "/pods", t);
    CHECK(http_code(denied) == 403);
    CHECK(http_body(denied) ==
          "Forbidden (user=system:serviceaccount:default:default, verb=get, resource=nodes, subresource(s)=[pods proxy])\n");
    auto denied_stats = node_api(n.cp, "/stats/summary", t);
    CHECK(http_code(denied_stats) == 403);
    CHECK(http_body(denied_stats).find("subresource(s)=[stats]") != std::string::npos);
    // Granted nodes/stats (kubelet-api-admin) through RBAC: another account gets in.
    n.cp.kubectl("create serviceaccount nodeapi-reader >/dev/null 2>&1");
    n.cp.kubectl("create clusterrolebinding nodeapi-reader --clusterrole=system:kubelet-api-admin "
                 "--serviceaccount=default:nodeapi-reader >/dev/null 2>&1");
    std::string reader = n.cp.kubectl("create token nodeapi-reader 2>/dev/null");
    reader = reader.substr(0, reader.find_last_not_of("\n") + 1);
    auto granted = node_api(n.cp, "/pods", reader);
    CHECK(http_code(granted) == 200);
    auto list = nlohmann::json::parse(http_body(granted), nullptr, false);
    REQUIRE(list.is_object());
    CHECK(list["kind"] == "PodList");
    bool found = false;
    for (const auto& p : list["items"]) found = found || p["metadata"]["name"] == "talker";
    CHECK(found);
    n.cp.kubectl("delete clusterrolebinding nodeapi-reader >/dev/null 2>&1");
    n.cp.kubectl("delete serviceaccount nodeapi-reader >/dev/null 2>&1");
  }

  {  // /stats/summary against the cgroup files
    auto talker = api_pod(n.cp, "talker");
    auto ids = container_ids(talker);
    const std::string ticker_id = ids["ticker"].first.substr(std::string("containerd://").size());
    const std::string main_id = ids["main"].first.substr(std::string("containerd://").size());
    const std::string cpu_dir = container_cgroup("cpuacct", ticker_id);
    const std::string mem_dir = container_cgroup("memory", main_id);
    REQUIRE(!cpu_dir.empty());
    REQUIRE(!mem_dir.empty());
    const uint64_t cpu_before = cgroup_number(cpu_dir + "/cpuacct.usage");
    int rc = 0;
    auto text = raw(n, "/stats/summary", &rc);
    const uint64_t cpu_after = cgroup_number(cpu_dir + "/cpuacct.usage");
    REQUIRE(rc == 0);
    auto summary = nlohmann::json::parse(text, nullptr, false);
    REQUIRE(summary.is_object());
    CHECK(summary["node"]["nodeName"] == n.node);
    CHECK(summary["node"]["memory"]["workingSetBytes"].get<uint64_t>() > 0);
    CHECK(summary["node"]["fs"]["capacityBytes"].get<uint64_t>() > 0);
    nlohmann::json pod;
    for (const auto& p : summary["pods"])
      if (p["podRef"]["name"] == "talker") pod = p;
    REQUIRE(pod.is_object());
    CHECK(pod["podRef"]["uid"] == talker["metadata"]["uid"]);
    nlohmann::json ticker, main;
    for (const auto& c : pod["containers"]) (c["name"] == "ticker" ? ticker : main) = c;
    REQUIRE(ticker.is_object());
    REQUIRE(main.is_object());
    const uint64_t cpu = ticker["cpu"]["usageCoreNanoSeconds"].get<uint64_t>();
    CHECK(cpu >= cpu_before);
    CHECK(cpu <= cpu_after);
    const uint64_t usage = cgroup_number(mem_dir + "/memory.usage_in_bytes");
    const uint64_t ws = usage - std::min(usage, memory_stat(mem_dir, "total_inactive_file"));
    const auto reported = main["memory"]["workingSetBytes"].get<uint64_t>();
    CHECK(reported + 256 * 1024 >= ws);  // a sleeping shell: the same within page-cache noise
    CHECK(ws + 256 * 1024 >= reported);
    CHECK(main["memory"]["usageBytes"].get<uint64_t>() > 0);
    CHECK(main["logs"]["usedBytes"].get<uint64_t>() > 0);
    CHECK(pod["network"]["name"] == "eth0");
    CHECK(pod["network"].contains("rxBytes"));
    CHECK(pod["process_stats"]["process_count"].get<uint64_t>() >= 2);
  }

  {  // metrics
    REQUIRE(eventually(20, [&] {
      return sample_sum(parse_prometheus(raw(n, "/metrics")), "kubelet_pod_start_duration_seconds_count") >= started_before + 2;
    }));
    auto after = parse_prometheus(raw(n, "/metrics"));
    for (const char* name : {"kubelet_running_pods", "kubelet_running_containers", "kubelet_pod_start_duration_seconds",
                             "kubelet_pod_worker_duration_seconds", "kubelet_pleg_relist_duration_seconds",
                             "kubelet_pleg_relist_interval_seconds", "kubelet_runtime_operations",
                             "kubelet_runtime_operations_errors", "kubelet_runtime_operations_duration_seconds"}) {
      INFO(name);
      CHECK(has_family(after, name));
    }
    CHECK(sample_sum(after, "kubelet_running_pods") >= sample_sum(before, "kubelet_running_pods") + 2);
    CHECK(sample_sum(after, "kubelet_running_containers", {{"container_state", "running"}}) >= 3);
    CHECK(sample_sum(after, "kubelet_runtime_operations_total", {{"operation_type", "start_container"}}) >=
          sample_sum(before, "kubelet_runtime_operations_total", {{"operation_type", "start_container"}}) + 3);
    CHECK(sample_sum(after, "kubelet_pod_worker_duration_seconds_count") >
          sample_sum(before, "kubelet_pod_worker_duration_seconds_count"));

    auto resource = parse_prometheus(raw(n, "/metrics/resource"));
    CHECK(sample_sum(resource, "container_cpu_usage_seconds_total", {{"pod", "talker"}, {"container", "ticker"}}) > 0);
    CHECK(sample_sum(resource, "container_memory_working_set_bytes", {{"pod", "talker"}, {"container", "main"}}) > 0);
    CHECK(sample_sum(resource, "node_memory_working_set_bytes") > 0);
    CHECK(sample_sum(resource, "pod_cpu_usage_seconds_total", {{"pod", "talker"}}) > 0);

    auto probes = parse_prometheus(raw(n, "/metrics/probes"));
    CHECK(sample_sum(probes, "prober_probe_total",
                     {{"probe_type", "Readiness"}, {"result", "successful"}, {"pod", "talker"}, {"container", "main"}}) >= 1);
  }
}

TEST_CASE("cluster: kube-proxy's healthz, livez, metrics and a healthCheckNodePort as endpoints come and go",
          "[cluster][nodeapi]") {
  JoinedNode n;
  REQUIRE(n.wait_ready());
  const std::string base = "curl -s --noproxy '*' --max-time 5 -w '\\n%{http_code}' http://";
  std::string hz;
  REQUIRE(eventually(20, [&] { return http_code(hz = in_node(n, base + kNodeIp + ":10256/healthz")) == 200; }));
  auto health = nlohmann::json::parse(http_body(hz), nullptr, false);
  REQUIRE(health.is_object());
  CHECK(health["healthy"] == true);
  CHECK(health["nodeEligible"] == true);
  CHECK(health.contains("lastUpdated"));
  CHECK(health.contains("currentTime"));
  CHECK(http_code(in_node(n, base + kNodeIp + ":10256/livez")) == 200);
  // kubelet's plain healthz, on the node's loopback.
  auto khz = in_node(n, base + "127.0.0.1:10248/healthz");
  CHECK(http_code(khz) == 200);
  CHECK(http_body(khz) == "ok");

  n.cp.apply("apiVersion: v1\nkind: Service\nmetadata:\n  name: hc\n  namespace: default\nspec:\n  type: LoadBalancer\n"
             "  externalTrafficPolicy: Local\n  selector: {app: hc}\n  ports: [{port: 80, targetPort: 8080}]\n");
  int hc_port = 0;
  REQUIRE(eventually(20, [&] {
    auto svc = n.cp.kubectl_json("get service hc");
    hc_port = svc.is_object() ? svc["spec"].value("healthCheckNodePort", 0) : 0;
    return hc_port > 0;
  }));
  const std::string hc = base + kNodeIp + ":" + std::to_string(hc_port) + "/";
  std::string out;
  REQUIRE(eventually(30, [&] { return http_code(out = in_node(n, hc)) == 503; }));
  auto body = nlohmann::json::parse(http_body(out), nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["service"] == nlohmann::json({{"namespace", "default"}, {"name", "hc"}}));
  CHECK(body["localEndpoints"] == 0);
  CHECK(body["serviceProxyHealthy"] == true);

  n.cp.apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: hc-backend\n  namespace: default\n  labels: {app: hc}\nspec:\n"
             "  nodeName: " + n.node + "\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 1\n"
             "  containers:\n  - name: main\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
             "    command: [sh, -c, 'exec httpd -f -p 8080']\n");
  REQUIRE(eventually(60, [&] { return http_code(out = in_node(n, hc)) == 200; }));
  body = nlohmann::json::parse(http_body(out), nullptr, false);
  CHECK(body["localEndpoints"] == 1);
  n.cp.kubectl("delete pod hc-backend --wait=true --timeout=60s >/dev/null 2>&1");
  CHECK(eventually(30, [&] { return http_code(in_node(n, hc)) == 503; }));

  auto metrics = parse_prometheus(http_body(in_node(n, base + "127.0.0.1:10249/metrics")));
  for (const char* name : {"kubeproxy_sync_proxy_rules_duration_seconds", "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
                           "kubeproxy_network_programming_duration_seconds", "kubeproxy_sync_proxy_rules_iptables_total"}) {
    INFO(name);
    CHECK(has_family(metrics, name));
  }
  CHECK(sample_sum(metrics, "kubeproxy_sync_proxy_rules_duration_seconds_count") >= 2);
  CHECK(sample_sum(metrics, "kubeproxy_sync_proxy_rules_last_timestamp_seconds") > 1.7e9);
  CHECK(sample_sum(metrics, "kubeproxy_sync_proxy_rules_iptables_total", {{"table", "nat"}}) > 0);
  n.cp.kubectl("delete service hc >/dev/null 2>&1");
}
