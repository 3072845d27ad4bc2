// The node's side of the join against a real control plane (kube-apiserver with Node,RBAC and
// NodeRestriction, kube-controller-manager allocating pod CIDRs, etcd): registration, status,
// Lease, pod CIDR, routes from Node objects, and what a node's identity may not do. Each node
// runs in a netns of its own on the control plane's bridge; the assertions read the objects back
// with kubectl as cluster admin.
#include <filesystem>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "agent/cluster/client_cert_rotator.h"
#include "agent/cluster/node_host_facts.h"
#include "agent/cluster/node_lease.h"
#include "agent/cluster/node_registrar.h"
#include "agent/cluster/node_routes.h"
#include "kube/client/certificates.h"
#include "kube/client/kubeconfig.h"
#include "kube/client/tls_bootstrap.h"
#include "kube/quantity.h"
#include "kube/time.h"
#include "test/support/control_plane_fixture.h"
#include "test/support/temp_dir.h"
#include "util/http/curl_http_client.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using namespace nodeagent::cluster::testing;
using nlohmann::json;
using Catch::Matchers::Contains;

namespace {

// Without a control plane the test fails (it never passes vacuously), saying why.
#define NEED_CONTROL_PLANE()         \
  auto& cp = ControlPlane::shared(); \
  INFO(cp.why());                    \
  REQUIRE(cp.up())

std::unique_ptr<kube::client::ApiClient> client_for(const std::string& kubeconfig, const std::string& data_dir) {
  auto config = kube::client::load_kubeconfig(kubeconfig, data_dir);
  if (!config.ok()) FAIL(config.error().message);
  return std::make_unique<kube::client::ApiClient>(std::make_shared<http::CurlHttpClient>(), *config);
}

// A node of the test: its netns, identity, facts, status reporter and lease.
struct TestNode {
  std::string name;
  NodeNetns ns;
  nodeagent::testing::TempDir state{"na-join-it"};
  std::unique_ptr<kube::client::ApiClient> client;
  SystemClock clock;
  NodeFacts facts;
  std::unique_ptr<NodeStatusReporter> reporter;
  std::unique_ptr<NodeLease> lease;
  std::mutex mu;
  std::vector<NodeEvent> events;

  NodeStatusOptions options;

  TestNode(const ControlPlane& cp, const std::string& node, const std::string& ip, NodeStatusOptions status_options = {})
      : name(node), ns(cp, node, ip), options(status_options) {
    client = client_for(cp.node_kubeconfig(node), state.file("kubeconfig-data"));
    NodeFactsConfig c;
    c.node_name = node;
    c.node_ip = ip;
    c.node_labels = {"node.kubernetes.io/pool=it", "example.com/team=node"};
    c.register_with_taints = {"example.com/it=yes:NoSchedule"};
    c.kube_reserved = {"cpu=100m,memory=100Mi"};
    c.system_reserved = {"memory=50Mi"};
    c.max_pods = 20;
    c.root_dir = state.path();
    c.container_runtime_version = "containerd://1.6.20";
    auto f = gather_node_facts(c);
    if (!f.ok()) FAIL(f.error().message);
    facts = *f;
    make_reporter();
    lease = std::make_unique<NodeLease>(ClusterContext{client.get(), name, &clock});
  }
  ~TestNode() { stop(); }

  void make_reporter() {
    reporter = std::make_unique<NodeStatusReporter>(
        ClusterContext{client.get(), name, &clock}, facts, [] { return NodeHealth{}; },
        []() -> Result<std::vector<runtime::ImageInfo>> {
          runtime::ImageInfo img;
          img.id = "sha256:1";
          img.repo_tags = {"docker.io/library/busybox:latest"};
          img.repo_digests = {"docker.io/library/busybox@sha256:1"};
          img.size = 1'234'567;
          return std::vector<runtime::ImageInfo>{img};
        },
        options, [this](const NodeEvent& e) {
          std::lock_guard lock(mu);
          events.push_back(e);
        });
  }
  void start() {
    ns.run([this] {
      reporter->start();
      lease->start();
    });
  }
  void stop() {
    if (lease) lease->stop();
    if (reporter) reporter->stop();
  }
};

const json* condition(const json& node, const std::string& type) {
  if (!node.is_object() || !node.contains("status") || !node["status"].contains("conditions")) return nullptr;
  for (const auto& c : node["status"]["conditions"])
    if (c["type"] == type) return &c;
  return nullptr;
}

bool is_ready(const json& node) {
  const json* c = condition(node, "Ready");
  return c && (*c)["status"] == "True";
}

bool has_taint(const json& node, const std::string& key) {
  if (!node.is_object()) return false;
  for (const auto& t : node["spec"].value("taints", json::array()))
    if (t["key"] == key) return true;
  return false;
}

std::string lease_renew_time(const ControlPlane& cp, const std::string& node) {
  json l = cp.kubectl_json("get lease -n kube-node-lease " + node);
  return l.is_object() ? l["spec"].value("renewTime", "") : "";
}

}  // namespace

TEST_CASE("node join: the node registers Ready with kubelet's fields, its Lease advances, its pod CIDR arrives") {
  NEED_CONTROL_PLANE();
  NodeStatusOptions fast;
  fast.report_frequency = std::chrono::seconds(3);  // the forced heartbeat, 5 min in production
  fast.update_frequency = std::chrono::seconds(1);
  TestNode n(cp, "it-n1", "10.250.0.11", fast);
  n.start();

  json node;
  REQUIRE(eventually(60, [&] { return is_ready(node = cp.kubectl_json("get node it-n1")); }));
  const json* ready = condition(node, "Ready");
  CHECK((*ready)["reason"] == "KubeletReady");
  CHECK((*ready)["message"] == "kubelet is posting ready status");
  CHECK((*condition(node, "MemoryPressure"))["reason"] == "KubeletHasSufficientMemory");
  CHECK((*condition(node, "DiskPressure"))["reason"] == "KubeletHasNoDiskPressure");
  CHECK((*condition(node, "PIDPressure"))["reason"] == "KubeletHasSufficientPID");

  const json& labels = node["metadata"]["labels"];
  CHECK(labels["kubernetes.io/hostname"] == "it-n1");
  CHECK(labels["kubernetes.io/os"] == "linux");
  CHECK(labels["kubernetes.io/arch"] == n.facts.architecture);
  CHECK(labels["node.kubernetes.io/pool"] == "it");
  CHECK(labels["example.com/team"] == "node");
  CHECK(has_taint(node, "example.com/it"));

  const json& s = node["status"];
  CHECK(s["addresses"] == json::parse(R"([{"type":"InternalIP","address":"10.250.0.11"},{"type":"Hostname","address":"it-n1"}])"));
  // What the API server stores and prints is what node_object computed (canonical quantities).
  CHECK(s["capacity"]["cpu"] == node_capacity(n.facts)["cpu"]);
  CHECK(s["capacity"]["memory"] == node_capacity(n.facts)["memory"]);
  CHECK(s["capacity"]["pods"] == "20");
  CHECK(s["capacity"]["ephemeral-storage"] == node_capacity(n.facts)["ephemeral-storage"]);
  CHECK(s["allocatable"] == node_allocatable(n.facts));
  const int64_t cap_cpu = kube::parse_quantity(s["capacity"]["cpu"].get<std::string>())->milli;
  CHECK(kube::parse_quantity(s["allocatable"]["cpu"].get<std::string>())->milli == cap_cpu - 100);
  const int64_t cap_mem = kube::parse_quantity(s["capacity"]["memory"].get<std::string>())->value();
  CHECK(kube::parse_quantity(s["allocatable"]["memory"].get<std::string>())->value() == cap_mem - (250 << 20));
  CHECK(s["nodeInfo"]["kubeletVersion"] == agent_kubelet_version());
  CHECK(s["nodeInfo"]["containerRuntimeVersion"] == "containerd://1.6.20");
  CHECK(s["nodeInfo"]["operatingSystem"] == "linux");
  CHECK(s["nodeInfo"]["bootID"] == n.facts.boot_id);
  CHECK(s["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 10250);
  CHECK(s["images"][0]["names"][1] == "docker.io/library/busybox:latest");
  CHECK(node["metadata"]["annotations"]["volumes.kubernetes.io/controller-managed-attach-detach"] == "true");

  // The Lease: kubelet's fields, owned by the Node, renewed every 10 s.
  json lease;
  REQUIRE(eventually(30, [&] { return (lease = cp.kubectl_json("get lease -n kube-node-lease it-n1")).is_object(); }));
  CHECK(lease["spec"]["holderIdentity"] == "it-n1");
  CHECK(lease["spec"]["leaseDurationSeconds"] == 40);
  CHECK(lease["spec"]["renewTime"].get<std::string>().size() == std::string("2026-12-02T13:00:00.123456Z").size());
  REQUIRE(eventually(30, [&] {
    lease = cp.kubectl_json("get lease -n kube-node-lease it-n1");
    return lease.is_object() && lease["metadata"].contains("ownerReferences");
  }));
  CHECK(lease["metadata"]["ownerReferences"][0]["kind"] == "Node");
  CHECK(lease["metadata"]["ownerReferences"][0]["uid"] == node["metadata"]["uid"]);
  const std::string first = lease_renew_time(cp, "it-n1");
  REQUIRE(eventually(25, [&] { return lease_renew_time(cp, "it-n1") > first; }));

  // The controller-manager allocates a pod CIDR; the reporter sees it through its own watch.
  Result<std::string> cidr = unavailable("not waited");
  n.ns.run([&] { cidr = n.reporter->wait_for_pod_cidr(std::chrono::seconds(60)); });
  REQUIRE(cidr.ok());
  CHECK(*cidr == cp.kubectl_json("get node it-n1")["spec"]["podCIDR"]);
  CHECK(cidr->rfind("10.244.", 0) == 0);

  // The node lifecycle controller takes the not-ready taint off a node that posts Ready.
  CHECK(eventually(60, [&] { return !has_taint(cp.kubectl_json("get node it-n1"), "node.kubernetes.io/not-ready"); }));
  // Heartbeats go out (here every 3 s), the transition stays.
  const std::string heartbeat = (*ready)["lastHeartbeatTime"];
  json later;
  CHECK(eventually(20, [&] {
    later = cp.kubectl_json("get node it-n1");
    const json* c = condition(later, "Ready");
    return c && (*c)["lastHeartbeatTime"] != heartbeat;
  }));
  CHECK((*condition(later, "Ready"))["lastTransitionTime"] == (*ready)["lastTransitionTime"]);
  {
    std::lock_guard lock(n.mu);
    REQUIRE(n.events.size() >= 3);
    CHECK(n.events[0].reason == "NodeHasSufficientMemory");
    CHECK(n.events[0].message == "Node it-n1 status is now: NodeHasSufficientMemory");
  }
}

TEST_CASE("node join: a node's identity may not register, PATCH or list other nodes, and is named") {
  NEED_CONTROL_PLANE();
  TestNode victim(cp, "it-n3", "10.250.0.13");
  victim.start();
  REQUIRE(eventually(60, [&] { return is_ready(cp.kubectl_json("get node it-n3")); }));
  victim.stop();

  TestNode other(cp, "it-n2", "10.250.0.12");
  // it-n2's certificate, it-n3's facts.
  NodeStatusReporter impostor(ClusterContext{other.client.get(), "it-n3", &other.clock}, victim.facts, nullptr, nullptr);
  impostor.observe_node(cp.kubectl_json("get node it-n3"));  // it-n2 may not even read it-n3
  Status registered, patched;
  Result<json> listed = unavailable("not run");
  other.ns.run([&] {
    registered = impostor.register_node();
    patched = impostor.sync_status();
    listed = other.client->get("/api/v1/nodes");
  });
  REQUIRE(!registered.ok());
  INFO(registered.error().message);
  CHECK(registered.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(registered.error().message, Contains("register node it-n3 (as User \"system:node:it-n2\""));
  CHECK_THAT(registered.error().message, Contains("node \"it-n2\" is not allowed to modify node \"it-n3\""));

  REQUIRE(!patched.ok());
  INFO(patched.error().message);
  CHECK(patched.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(patched.error().message, Contains("update status of node it-n3 (as User \"system:node:it-n2\""));
  CHECK_THAT(patched.error().message, Contains("node \"it-n2\" is not allowed to modify node \"it-n3\""));

  // AuthorizeNodeWithSelectors: a node reads only its own Node.
  REQUIRE(!listed.ok());
  INFO(listed.error().message);
  CHECK(listed.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(listed.error().message, Contains("cannot read all nodes, only its own Node object"));

  // it-n3 itself was not touched.
  CHECK(cp.kubectl_json("get node it-n3")["status"]["addresses"][0]["address"] == "10.250.0.13");
}

TEST_CASE("node join: routes to the other nodes' pod CIDRs come from the Node objects") {
  NEED_CONTROL_PLANE();
  TestNode a(cp, "it-n4", "10.250.0.14");
  TestNode b(cp, "it-n5", "10.250.0.15");
  a.start();
  b.start();
  std::string b_cidr;
  REQUIRE(eventually(60, [&] {
    const json node = cp.kubectl_json("get node it-n5");
    b_cidr = node.is_object() ? node_pod_cidr(node) : "";
    return !b_cidr.empty();
  }));

  // kube-proxy's identity may list and watch nodes.
  auto proxy = client_for(cp.proxy_kubeconfig("it-n4"), a.state.file("proxy-data"));
  std::mutex mu;
  std::vector<network::PodCidrRoute> seen;
  NodeRoutes routes(*proxy, "it-n4", [&](const std::vector<network::PodCidrRoute>& r) {
    std::lock_guard lock(mu);
    seen = r;
  });
  a.ns.run([&] { routes.start(); });
  // 60 s: on a loaded 2-core machine the reflector's first list can come after a back-off.
  CHECK(eventually(60, [&] {
    std::lock_guard lock(mu);
    for (const auto& r : seen)
      if (r.pod_cidr == b_cidr && r.node_ip == "10.250.0.15") return true;
    return false;
  }));
  {
    std::lock_guard lock(mu);
    for (const auto& r : seen) CHECK(r.node_ip != "10.250.0.14");  // never a route to itself
  }
  CHECK(eventually(30, [&] { return !routes.own_pod_cidr().empty(); }));
  CHECK(routes.own_pod_cidr() == cp.kubectl_json("get node it-n4")["spec"]["podCIDR"]);
  routes.stop();

  // The node's own identity is refused, with the hint.
  std::mutex emu;
  std::string refused;
  NodeRoutes as_node(*a.client, "it-n4", nullptr, [&](const Error& e) {
    std::lock_guard lock(emu);
    refused = e.message;
  });
  a.ns.run([&] { as_node.start(); });
  CHECK(eventually(15, [&] {
    std::lock_guard lock(emu);
    return !refused.empty();
  }));
  as_node.stop();
  INFO(refused);
  CHECK_THAT(refused, Contains("cannot read all nodes"));
  CHECK_THAT(refused, Contains("kube-proxy's kubeconfig"));
}

TEST_CASE("node join: a restarted agent keeps the Node and puts kubelet's labels back") {
  NEED_CONTROL_PLANE();
  TestNode n(cp, "it-n6", "10.250.0.16");
  n.start();
  REQUIRE(eventually(60, [&] { return is_ready(cp.kubectl_json("get node it-n6")); }));
  const std::string uid = cp.kubectl_json("get node it-n6")["metadata"]["uid"];
  n.stop();
  cp.kubectl("label node it-n6 kubernetes.io/hostname=wrong team=kept --overwrite >&2");

  // Restarted with another address: the status PATCH replaces the address list.
  n.facts.node_ip = "10.250.0.26";
  n.make_reporter();
  Status st, synced;
  n.ns.run([&] {
    st = n.reporter->register_node();
    synced = n.reporter->sync_status();
  });
  REQUIRE(st.ok());
  REQUIRE(synced.ok());
  json node = cp.kubectl_json("get node it-n6");
  CHECK(node["metadata"]["uid"] == uid);
  CHECK(node["metadata"]["labels"]["kubernetes.io/hostname"] == "it-n6");
  CHECK(node["metadata"]["labels"]["team"] == "kept");
  CHECK(node["status"]["addresses"] ==
        json::parse(R"([{"type":"InternalIP","address":"10.250.0.26"},{"type":"Hostname","address":"it-n6"}])"));
}

TEST_CASE("node join: the Lease is renewed again after the API server comes back") {
  NEED_CONTROL_PLANE();
  TestNode n(cp, "it-n7", "10.250.0.17");
  n.start();
  REQUIRE(eventually(60, [&] { return !lease_renew_time(cp, "it-n7").empty(); }));
  cp.stop_apiserver();
  std::this_thread::sleep_for(std::chrono::seconds(12));  // a renewal falls due while it is away
  const auto before = n.lease->last_renewed();
  cp.start_apiserver();
  // Back-off is bounded by the renew interval: a renewal within about 10 s of the restart.
  CHECK(eventually(25, [&] { return n.lease->last_renewed() != before; }));
  const std::string after = lease_renew_time(cp, "it-n7");
  REQUIRE(before);
  CHECK(after > kube::format_micro_time(*before));
  // And the status is reported again.
  CHECK(eventually(30, [&] { return is_ready(cp.kubectl_json("get node it-n7")); }));
}

TEST_CASE("TLS bootstrap: a bootstrap token gets a node client certificate, and rotation renews it", "[join]") {
  NEED_CONTROL_PLANE();
  NodeNetns ns(cp, "it-n8", "10.250.0.18");
  nodeagent::testing::TempDir state("na-tls-it");
  auto http = std::make_shared<http::CurlHttpClient>();
  kube::client::BootstrapOptions o;
  o.kubeconfig = state.file("kubeconfig");
  o.bootstrap_kubeconfig = cp.bootstrap_kubeconfig();
  o.cert_dir = state.file("pki");
  o.data_dir = state.file("kubeconfig-data");
  o.node_name = "it-n8";
  o.timeout = std::chrono::seconds(60);
  Status booted;
  ns.run([&] { booted = kube::client::ensure_node_kubeconfig(http, o); });
  REQUIRE(booted.ok());

  // The issued identity is system:node:it-n8 in system:nodes, signed by the cluster.
  const std::string current = state.file("pki/kubelet-client-current.pem");
  auto facts = kube::client::read_certificate(nodeagent::testing::slurp(current));
  REQUIRE(facts.ok());
  CHECK(facts->common_name == "system:node:it-n8");
  CHECK(facts->organization == "system:nodes");
  auto client = client_for(o.kubeconfig, state.file("data2"));
  Result<json> own(json::object());
  ns.run([&] { own = client->get("/api/v1/nodes/it-n8"); });
  REQUIRE_FALSE(own.ok());
  CHECK(own.error().code == ErrorCode::kNotFound);  // known to the API server, not 401/403

  // Rotation: the node's own identity files a new CSR (selfnodeclient) and moves to the new pair.
  ClientCertificateRotator rotator(*client, "it-n8", o.cert_dir, 0.5, [](const std::string& m) { WARN(m); });
  REQUIRE(rotator.deadline());
  Status rotated;
  ns.run([&] { rotated = rotator.rotate(std::chrono::seconds(60)); });
  REQUIRE(rotated.ok());
  const std::string renewed = client->config().client_cert_file;
  CHECK(renewed != current);
  CHECK(std::filesystem::read_symlink(current).string() == std::filesystem::path(renewed).filename().string());
  ns.run([&] { own = client->get("/api/v1/nodes/it-n8"); });
  REQUIRE_FALSE(own.ok());
  CHECK(own.error().code == ErrorCode::kNotFound);

  auto csrs = cp.kubectl_json("get csr");
  int issued = 0;
  for (const auto& csr : csrs["items"]) {
    if (csr["spec"].value("username", "").find("it-n8") == std::string::npos &&
        csr["spec"].value("username", "").rfind("system:bootstrap:", 0) != 0)
      continue;
    if (!csr["status"].contains("certificate")) continue;
    if (csr["spec"]["signerName"] == "kubernetes.io/kube-apiserver-client-kubelet") ++issued;
  }
  CHECK(issued >= 2);  // the bootstrap's and the rotation's
}
