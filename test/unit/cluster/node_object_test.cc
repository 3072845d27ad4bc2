#include "agent/cluster/node_object.h"

#include <catch2/catch.hpp>

#include "kube/time.h"
#include "test/unit/cluster/fake_node_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using nlohmann::json;

namespace {

kube::Time at(const std::string& t) { return kube::parse_time(t).value(); }

NodeFacts facts() {
  NodeFacts f;
  f.name = "n1";
  f.hostname = "n1";
  f.node_ip = "10.250.0.11";
  f.labels = {{"kubernetes.io/hostname", "n1"}, {"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"},
              {"beta.kubernetes.io/os", "linux"}, {"beta.kubernetes.io/arch", "amd64"}, {"node.kubernetes.io/pool", "a"}};
  f.cpu_millis = 4000;
  f.memory_bytes = int64_t{16318612} * 1024;
  f.ephemeral_storage_bytes = int64_t{100} * 1024 * 1024 * 1024;
  f.max_pods = 110;
  f.machine_id = "0123456789abcdef0123456789abcdef";
  f.system_uuid = "4c4c4544-0042-3510-8052-b4c04f4e4e32";
  f.boot_id = "b1";
  f.kernel_version = "6.18.0-1-amd64";
  f.os_image = "Debian GNU/Linux 12 (bookworm)";
  f.container_runtime_version = "containerd://1.6.20~ds1";
  f.kubelet_version = "v0.1.0";
  f.architecture = "amd64";
  return f;
}

const json& condition(const json& status, const std::string& type) {
  for (const auto& c : status["conditions"])
    if (c["type"] == type) return c;
  FAIL("no condition " << type);
  static json none;
  return none;
}

}  // namespace

TEST_CASE("node object: the registration carries labels, taints, addresses, resources, nodeInfo and conditions") {
  NodeFacts f = facts();
  f.taints = {{"dedicated", "gpu", "NoSchedule"}, {"example.com/drain", "", "NoExecute"}};
  const json node = node_for_registration(f, {}, at("2026-12-02T13:00:00.5Z"));

  CHECK(node["apiVersion"] == "v1");
  CHECK(node["kind"] == "Node");
  CHECK(node["metadata"]["name"] == "n1");
  CHECK(node["metadata"]["labels"]["kubernetes.io/hostname"] == "n1");
  CHECK(node["metadata"]["labels"]["kubernetes.io/os"] == "linux");
  CHECK(node["metadata"]["labels"]["kubernetes.io/arch"] == "amd64");
  CHECK(node["metadata"]["labels"]["node.kubernetes.io/pool"] == "a");
  CHECK(node["metadata"]["annotations"]["volumes.kubernetes.io/controller-managed-attach-detach"] == "true");
  CHECK(node["spec"]["taints"] == json::parse(R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"},
                                                   {"key":"example.com/drain","effect":"NoExecute"}])"));
  CHECK_FALSE(node["spec"].contains("unschedulable"));

  const json& s = node["status"];
  CHECK(s["addresses"] == json::parse(R"([{"type":"InternalIP","address":"10.250.0.11"},{"type":"Hostname","address":"n1"}])"));
  CHECK(s["capacity"] == json::parse(R"({"cpu":"4","memory":"16318612Ki","pods":"110","ephemeral-storage":"100Gi"})"));
  CHECK(s["allocatable"]["cpu"] == "4");
  CHECK(s["allocatable"]["memory"] == "16216212Ki");  // less evictionHard memory.available 100Mi
  CHECK(s["allocatable"]["pods"] == "110");
  // less nodefs.available 10% of capacity, with the float32 percentage kubelet uses
  CHECK(s["allocatable"]["ephemeral-storage"] == std::to_string(int64_t{107374182400} - 10737418400));
  CHECK(s["nodeInfo"] == json::parse(R"j({"machineID":"0123456789abcdef0123456789abcdef",
      "systemUUID":"4c4c4544-0042-3510-8052-b4c04f4e4e32","bootID":"b1","kernelVersion":"6.18.0-1-amd64",
      "osImage":"Debian GNU/Linux 12 (bookworm)","containerRuntimeVersion":"containerd://1.6.20~ds1",
      "kubeletVersion":"v0.1.0","kubeProxyVersion":"","operatingSystem":"linux","architecture":"amd64"})j"));
  CHECK(s["daemonEndpoints"] == json::parse(R"({"kubeletEndpoint":{"Port":10250}})"));
  CHECK_FALSE(s["nodeInfo"].contains("swap"));  // no swap: the API server refuses a capacity of 0
  f.swap_bytes = int64_t{2} << 30;
  CHECK(node_for_registration(f, {}, at("2026-12-02T13:00:00Z"))["status"]["nodeInfo"]["swap"] ==
        json::parse(R"({"capacity":2147483648})"));
  CHECK_FALSE(s.contains("images"));

  REQUIRE(s["conditions"].size() == 4);
  std::vector<std::string> order;
  for (const auto& c : s["conditions"]) order.push_back(c["type"]);
  CHECK(order == std::vector<std::string>{"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"});
  auto expect = [&](const std::string& type, const std::string& st, const std::string& reason, const std::string& message) {
    const json& c = condition(s, type);
    CHECK(c["status"] == st);
    CHECK(c["reason"] == reason);
    CHECK(c["message"] == message);
    CHECK(c["lastHeartbeatTime"] == "2026-12-02T13:00:00Z");
    CHECK(c["lastTransitionTime"] == "2026-12-02T13:00:00Z");
  };
  expect("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");
  expect("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
  expect("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
  expect("Ready", "True", "KubeletReady", "kubelet is posting ready status");
}

TEST_CASE("node object: --register-schedulable=false adds spec.unschedulable and its taint once") {
  NodeFacts f = facts();
  f.unschedulable = true;
  json node = node_for_registration(f, {}, at("2026-12-02T13:00:00Z"));
  CHECK(node["spec"]["unschedulable"] == true);
  CHECK(node["spec"]["taints"] == json::parse(R"([{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}])"));
  f.taints = {{"node.kubernetes.io/unschedulable", "", "NoSchedule"}};
  node = node_for_registration(f, {}, at("2026-12-02T13:00:00Z"));
  CHECK(node["spec"]["taints"].size() == 1);
}

TEST_CASE("node object: allocatable is capacity less kube-reserved, system-reserved, hard eviction and huge pages") {
  NodeFacts f = facts();
  f.kube_reserved = {{"cpu", kube::parse_quantity("100m").value()},
                     {"memory", kube::parse_quantity("1Gi").value()},
                     {"ephemeral-storage", kube::parse_quantity("1Gi").value()}};
  f.system_reserved = {{"cpu", kube::parse_quantity("200m").value()},
                       {"memory", kube::parse_quantity("500Mi").value()},
                       {"pid", kube::parse_quantity("1000").value()}};
  json alloc = node_allocatable(f);
  CHECK(alloc["cpu"] == "3700m");
  CHECK(alloc["memory"] == std::to_string(16318612 - 102400 - 512000 - 1048576) + "Ki");
  CHECK(alloc["ephemeral-storage"] == "95563022176");
  CHECK(alloc["pods"] == "110");
  CHECK_FALSE(alloc.contains("pid"));  // pid is reserved, but not a node resource

  f.hugepages = {{"hugepages-2Mi", 512 * 2 * 1024 * 1024}, {"hugepages-1Gi", 0}};
  json cap = node_capacity(f);
  CHECK(cap["hugepages-2Mi"] == "1Gi");
  CHECK(cap["hugepages-1Gi"] == "0");
  alloc = node_allocatable(f);
  CHECK(alloc["hugepages-2Mi"] == "1Gi");
  CHECK(alloc["memory"] == std::to_string(16318612 - 102400 - 512000 - 1048576 - 1048576) + "Ki");

  // Reservations larger than the capacity leave zero, never a negative amount.
  f.kube_reserved["cpu"] = kube::parse_quantity("8").value();
  CHECK(node_allocatable(f)["cpu"] == "0");
}

TEST_CASE("node object: conditions keep lastTransitionTime until their status changes") {
  const NodeFacts f = facts();
  NodeHealth healthy;
  auto first = node_status(f, healthy, json::object(), at("2026-12-02T13:00:00Z"));
  CHECK(first.events.size() == 3);  // the pressure conditions' first False; a new Ready makes none
  CHECK(first.events[0].reason == "NodeHasSufficientMemory");
  CHECK(first.events[0].message == "Node n1 status is now: NodeHasSufficientMemory");

  auto second = node_status(f, healthy, first.status, at("2026-12-02T13:00:10Z"));
  CHECK(second.events.empty());
  for (const auto& c : second.status["conditions"]) {
    CHECK(c["lastHeartbeatTime"] == "2026-12-02T13:00:10Z");
    CHECK(c["lastTransitionTime"] == "2026-12-02T13:00:00Z");
  }
  CHECK_FALSE(node_status_changed(first.status, second.status));

  NodeHealth bad;
  bad.memory_pressure = true;
  bad.runtime_errors = {"container runtime is down"};
  auto third = node_status(f, bad, second.status, at("2026-12-02T13:00:20Z"));
  CHECK(node_status_changed(second.status, third.status));
  const json& mem = condition(third.status, "MemoryPressure");
  CHECK(mem["status"] == "True");
  CHECK(mem["reason"] == "KubeletHasInsufficientMemory");
  CHECK(mem["message"] == "kubelet has insufficient memory available");
  CHECK(mem["lastTransitionTime"] == "2026-12-02T13:00:20Z");
  CHECK(condition(third.status, "DiskPressure")["lastTransitionTime"] == "2026-12-02T13:00:00Z");
  const json& ready = condition(third.status, "Ready");
  CHECK(ready["status"] == "False");
  CHECK(ready["reason"] == "KubeletNotReady");
  CHECK(ready["message"] == "container runtime is down");
  CHECK(ready["lastTransitionTime"] == "2026-12-02T13:00:20Z");
  std::vector<std::string> reasons;
  for (const auto& e : third.events) reasons.push_back(e.reason);
  CHECK(reasons == std::vector<std::string>{"NodeHasInsufficientMemory", "NodeNotReady"});

  // Several errors read as errors.NewAggregate prints them; duplicates once.
  bad.network_errors = {"container runtime network not ready: NetworkReady=false", "container runtime is down"};
  auto fourth = node_status(f, bad, third.status, at("2026-12-02T13:00:30Z"));
  CHECK(condition(fourth.status, "Ready")["message"] ==
        "[container runtime is down, container runtime network not ready: NetworkReady=false]");
  CHECK(condition(fourth.status, "Ready")["lastTransitionTime"] == "2026-12-02T13:00:20Z");
  // A changed message is a change worth reporting, a heartbeat alone is not.
  CHECK(node_status_changed(third.status, fourth.status));

  auto back = node_status(f, healthy, fourth.status, at("2026-12-02T13:00:40Z"));
  CHECK(condition(back.status, "Ready")["status"] == "True");
  CHECK(condition(back.status, "Ready")["lastTransitionTime"] == "2026-12-02T13:00:40Z");
  CHECK(back.events.back().reason == "NodeReady");
}

TEST_CASE("node object: a Ready condition set Unknown by the node controller goes back to True with an event") {
  json status = node_status(facts(), {}, json::object(), at("2026-12-02T13:00:00Z")).status;
  for (auto& c : status["conditions"]) {
    c["status"] = "Unknown";
    c["reason"] = "NodeStatusUnknown";
    c["message"] = "Kubelet stopped posting node status.";
  }
  auto u = node_status(facts(), {}, status, at("2026-12-02T13:05:00Z"));
  for (const auto& c : u.status["conditions"]) {
    CHECK(c["lastTransitionTime"] == "2026-12-02T13:05:00Z");
    CHECK(c["reason"] != "NodeStatusUnknown");
  }
  CHECK(u.events.size() == 4);
}

TEST_CASE("node object: what others keep in the status stays, a new boot ID is a NodeRebooted event") {
  json existing = node_status(facts(), {}, json::object(), at("2026-12-02T13:00:00Z")).status;
  existing["capacity"]["example.com/dongle"] = "2";
  existing["allocatable"]["example.com/dongle"] = "1";
  existing["capacity"]["hugepages-1Gi"] = "2Gi";  // a page size this host no longer has
  existing["volumesAttached"] = json::parse(R"([{"name":"kubernetes.io/csi/x^1","devicePath":""}])");
  existing["conditions"].push_back({{"type", "NetworkUnavailable"}, {"status", "False"}, {"reason", "RouteCreated"}});
  existing["nodeInfo"]["swap"] = {{"capacity", 0}};

  NodeFacts f = facts();
  f.boot_id = "b2";
  auto u = node_status(f, {}, existing, at("2026-12-02T13:00:10Z"));
  CHECK(u.status["capacity"]["example.com/dongle"] == "2");
  CHECK(u.status["allocatable"]["example.com/dongle"] == "2");  // allocatable = capacity for what nothing reserves
  CHECK_FALSE(u.status["capacity"].contains("hugepages-1Gi"));
  CHECK(u.status["volumesAttached"] == existing["volumesAttached"]);
  CHECK(condition(u.status, "NetworkUnavailable")["reason"] == "RouteCreated");
  CHECK(u.status["nodeInfo"]["swap"] == existing["nodeInfo"]["swap"]);
  CHECK(u.status["nodeInfo"]["bootID"] == "b2");
  REQUIRE(u.events.size() == 1);
  CHECK(u.events[0].type == "Warning");
  CHECK(u.events[0].reason == "NodeRebooted");
  CHECK(u.events[0].message == "Node n1 has been rebooted, boot id: b2");
}

TEST_CASE("node object: a change is what the API server would print differently, not a spelling") {
  json a = node_status(facts(), {}, json::object(), at("2026-12-02T13:00:00Z")).status;
  json b = a;
  b["capacity"]["cpu"] = "4000m";
  b["allocatable"]["memory"] = std::to_string(int64_t{16216212} * 1024);
  b["images"] = json::array();
  CHECK_FALSE(node_status_changed(a, b));
  b["capacity"]["cpu"] = "3";
  CHECK(node_status_changed(a, b));
  b = a;
  b["conditions"].erase(b["conditions"].begin());
  CHECK(node_status_changed(a, b));
  b = a;
  b["addresses"][0]["address"] = "10.250.0.12";
  CHECK(node_status_changed(a, b));
}

TEST_CASE("node object: the status patch holds what changed, and applied to the old status gives the new one") {
  json old_status = node_status(facts(), {}, json::object(), at("2026-12-02T13:00:00Z")).status;
  old_status["capacity"]["hugepages-2Mi"] = "0";
  old_status["allocatable"]["hugepages-2Mi"] = "0";
  old_status["volumesInUse"] = json::array({"kubernetes.io/csi/v^1"});

  NodeFacts f = facts();
  f.node_ip = "10.250.0.12";
  f.memory_bytes = int64_t{8} * 1024 * 1024 * 1024;
  f.images = {{{"docker.io/library/busybox@sha256:ab", "docker.io/library/busybox:latest"}, 1234}};
  NodeHealth h;
  h.disk_pressure = true;
  json new_status = node_status(f, h, old_status, at("2026-12-02T13:00:10Z")).status;

  json patch = node_status_patch(old_status, new_status);
  const json& p = patch["status"];
  CHECK(p["addresses"] == json::parse(R"([{"type":"InternalIP","address":"10.250.0.12"},{"type":"Hostname","address":"n1"},
                                           {"$patch":"replace"}])"));
  CHECK(p["capacity"] == json::parse(R"({"memory":"8Gi","hugepages-2Mi":null})"));
  CHECK(p["allocatable"]["hugepages-2Mi"].is_null());
  CHECK(p["images"] == json::parse(R"([{"names":["docker.io/library/busybox@sha256:ab","docker.io/library/busybox:latest"],"sizeBytes":1234}])"));
  CHECK_FALSE(p.contains("nodeInfo"));
  CHECK_FALSE(p.contains("daemonEndpoints"));
  CHECK_FALSE(p.contains("volumesInUse"));
  CHECK(p["conditions"].size() == 4);  // every heartbeat moved

  json applied = {{"status", old_status}};
  testing::apply_strategic_merge(applied, patch);
  CHECK(applied["status"] == new_status);

  // Nothing but heartbeats: a patch of the conditions alone.
  json later = node_status(f, h, new_status, at("2026-12-02T13:05:10Z")).status;
  json hb = node_status_patch(new_status, later)["status"];
  CHECK(hb.size() == 1);
  CHECK(hb["conditions"].size() == 4);
}

TEST_CASE("node object: status.images is biggest first, at most 50, names digests then tags, at most 5") {
  std::vector<runtime::ImageInfo> images;
  for (int i = 0; i < 60; ++i) {
    runtime::ImageInfo img;
    img.id = "sha256:" + std::to_string(100 + i);
    img.size = i * 10;
    img.repo_tags = {"r/img" + std::to_string(i) + ":1"};
    img.repo_digests = {"r/img" + std::to_string(i) + "@sha256:d"};
    images.push_back(img);
  }
  images[3].repo_tags = {"a:1", "a:2", "a:3", "a:4", "a:5"};
  images[3].size = 10'000;
  auto listed = node_images(images);
  REQUIRE(listed.size() == 50);
  CHECK(listed[0].size_bytes == 10'000);
  CHECK(listed[0].names == std::vector<std::string>{"r/img3@sha256:d", "a:1", "a:2", "a:3", "a:4"});
  CHECK(listed[1].size_bytes == 590);
  CHECK(listed[1].names == std::vector<std::string>{"r/img59@sha256:d", "r/img59:1"});
  CHECK(listed[49].size_bytes == 110);
}

TEST_CASE("node object: an existing Node gets kubelet's default labels back and keeps everything else") {
  json existing = json::parse(R"({"metadata":{"name":"n1","labels":{"kubernetes.io/hostname":"old-name",
      "kubernetes.io/os":"linux","team":"a","node.kubernetes.io/pool":"b"},
      "annotations":{"node.alpha.kubernetes.io/ttl":"0"}}})");
  json patch = reconcile_existing_node(facts(), existing);
  CHECK(patch == json::parse(R"({"metadata":{"labels":{"kubernetes.io/hostname":"n1","kubernetes.io/arch":"amd64",
      "beta.kubernetes.io/os":"linux","beta.kubernetes.io/arch":"amd64"},
      "annotations":{"volumes.kubernetes.io/controller-managed-attach-detach":"true"}}})"));

  json current = json::parse(R"({"metadata":{"name":"n1","labels":{}, "annotations":{
      "volumes.kubernetes.io/controller-managed-attach-detach":"true"}}})");
  for (const auto& [k, v] : facts().labels) current["metadata"]["labels"][k] = v;
  CHECK(reconcile_existing_node(facts(), current).empty());
}
