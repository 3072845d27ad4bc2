// Workloads through the real controllers onto the joined node: a Deployment's rolling update
// (the new ReplicaSet's pods Running, the old ones killed with their grace period and gone); a
// DaemonSet tolerating the node's taint gets one pod there while an intolerant pod stays
// Pending; a Job's pod Succeeds and the Job is Complete; a StatefulSet starts its pods in order
// under stable names, each with its own claim bound to a pre-created hostPath PV that the pod
// writes through.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "test/e2e/cluster/joined_node.h"
#include "test/e2e/agent/pod_json.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::testing;
using namespace nodeagent::cluster::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string deployment_yaml(const std::string& version) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: roll\n  namespace: default\nspec:\n  replicas: 2\n"
         "  selector:\n    matchLabels: {app: roll}\n  template:\n    metadata:\n      labels: {app: roll}\n    spec:\n"
         "      terminationGracePeriodSeconds: 2\n      containers:\n      - name: main\n"
         "        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
         "        command: [sh, -c, 'echo " + version + "; trap \"exit 0\" TERM; while true; do sleep 1; done']\n";
}

std::set<std::string> names(const std::vector<nlohmann::json>& pods) {
  std::set<std::string> out;
  for (const auto& p : pods) out.insert(p["metadata"].value("name", ""));
  return out;
}

bool has_event(const ControlPlane& cp, const std::string& object, const std::string& reason, const std::string& host) {
  auto events = cp.kubectl_json("get events -n default --field-selector involvedObject.name=" + object);
  if (!events.is_object()) return false;
  for (const auto& e : events["items"])
    if (e.value("reason", "") == reason && e["source"].value("host", "") == host) return true;
  return false;
}

std::string pod_condition_time(const nlohmann::json& pod, const std::string& type) {
  for (const auto& c : pod["status"]["conditions"])
    if (c.value("type", "") == type && c.value("status", "") == "True") return c.value("lastTransitionTime", "");
  return "";
}

}  // namespace

TEST_CASE("cluster: a Deployment's rolling update replaces its pods, the old ones gracefully", "[cluster][workloads]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  auto made = n.cp.apply(deployment_yaml("v1"), &rc);
  INFO(made);
  REQUIRE(rc == 0);
  REQUIRE(eventually(90, [&] { return running_on(n.cp, "app=roll", n.node) == 2; }));
  const auto old_pods = names(api_pods(n.cp, "app=roll"));
  REQUIRE(old_pods.size() == 2);

  n.cp.apply(deployment_yaml("v2"), &rc);
  REQUIRE(rc == 0);
  // Done when two pods run that are all new, and the old ones are gone from the API server
  // (the node finished them: the final DELETE comes from the node).
  std::set<std::string> now;
  CHECK(eventually(120, [&] {
    now = names(api_pods(n.cp, "app=roll"));
    for (const auto& o : old_pods)
      if (now.count(o)) return false;
    return now.size() == 2 && running_on(n.cp, "app=roll", n.node) == 2;
  }));
  auto status = n.cp.kubectl("rollout status deployment/roll -n default --timeout=60s 2>&1", &rc);
  INFO(status);
  CHECK(rc == 0);
  for (const auto& p : now) CHECK(n.agent->nodectl("logs default/" + p).output.find("v2") != std::string::npos);
  // The old pods were stopped by the node (kubelet's Killing event), not just dropped.
  for (const auto& o : old_pods) CHECK(eventually(20, [&] { return has_event(n.cp, o, "Killing", n.node); }));
  // Two ReplicaSets: the new one at 2, the old one scaled to 0.
  auto sets = n.cp.kubectl_json("get replicasets -n default -l app=roll");
  REQUIRE(sets.is_object());
  std::multiset<int> replicas;
  for (const auto& s : sets["items"]) replicas.insert(s["spec"].value("replicas", -1));
  CHECK(replicas == std::multiset<int>{0, 2});
}

TEST_CASE("cluster: a Job's pod succeeds and the Job is Complete", "[cluster][workloads]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  auto made = n.cp.apply(
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n  namespace: default\nspec:\n  backoffLimit: 0\n"
      "  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n"
      "        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
      "        command: [sh, -c, 'echo computed; sleep 1']\n",
      &rc);
  INFO(made);
  REQUIRE(rc == 0);
  CHECK(eventually(90, [&] {
    auto job = n.cp.kubectl_json("get job once -n default");
    if (!job.is_object()) return false;
    for (const auto& c : job["status"]["conditions"])
      if (c.value("type", "") == "Complete" && c.value("status", "") == "True") return true;
    return false;
  }));
  auto pods = api_pods(n.cp, "batch.kubernetes.io/job-name=once");
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]["status"].value("phase", "") == "Succeeded");
  CHECK(pods[0]["spec"].value("nodeName", "") == n.node);
  const auto& cs = pods[0]["status"]["containerStatuses"][0];
  CHECK(cs["state"]["terminated"].value("exitCode", -1) == 0);
  CHECK(cs["state"]["terminated"].value("reason", "") == "Completed");
  auto job = n.cp.kubectl_json("get job once -n default");
  CHECK(job["status"].value("succeeded", 0) == 1);
}

TEST_CASE("cluster: a StatefulSet starts its pods in order under stable names, each with its own hostPath volume",
          "[cluster][workloads]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  nodeagent::testing::TempDir dir;
  std::string pvs;
  for (int i = 0; i < 2; ++i) {
    const std::string path = dir.path() + "/pv" + std::to_string(i);
    fs::create_directories(path);
    pvs += "---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: na-sts-pv" + std::to_string(i) +
           "\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  storageClassName: na-local\n"
           "  persistentVolumeReclaimPolicy: Retain\n  hostPath: {path: " + path + ", type: Directory}\n";
  }
  int rc = 0;
  auto made = n.cp.apply(pvs, &rc);
  INFO(made);
  REQUIRE(rc == 0);
  made = n.cp.apply(
      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: default\nspec:\n  replicas: 2\n"
      "  serviceName: db\n  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db}\n"
      "    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n      - name: main\n"
      "        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
      "        command: [sh, -c, 'hostname > /data/owner; exec sleep 3600']\n"
      "        volumeMounts: [{name: data, mountPath: /data}]\n"
      "  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec:\n      accessModes: [ReadWriteOnce]\n"
      "      storageClassName: na-local\n      resources: {requests: {storage: 1Gi}}\n",
      &rc);
  INFO(made);
  REQUIRE(rc == 0);
  CHECK(eventually(120, [&] { return running_on(n.cp, "app=db", n.node) == 2; }));
  auto db0 = api_pod(n.cp, "db-0"), db1 = api_pod(n.cp, "db-1");
  REQUIRE(db0.is_object());
  REQUIRE(db1.is_object());
  // OrderedReady: db-1 was created only once db-0 was Ready (RFC 3339 seconds compare as text).
  const std::string ready0 = pod_condition_time(db0, "Ready");
  CHECK(!ready0.empty());
  CHECK(db1["metadata"].value("creationTimestamp", "") >= ready0);
  // Each pod wrote through its own claim onto its own PV's directory.
  std::set<std::string> owners;
  for (int i = 0; i < 2; ++i) owners.insert(read_file(dir.path() + "/pv" + std::to_string(i) + "/owner"));
  CHECK(owners == std::set<std::string>{"db-0", "db-1"});
  // A deleted member comes back under the same name, on the same volume.
  const std::string uid = db0["metadata"].value("uid", "");
  n.cp.kubectl("delete pod db-0 -n default --wait=true --timeout=60s >/dev/null 2>&1", &rc);
  CHECK(rc == 0);
  CHECK(eventually(60, [&] {
    auto again = api_pod(n.cp, "db-0");
    return again.is_object() && again["metadata"].value("uid", "") != uid && again["status"].value("phase", "") == "Running";
  }));
  n.cp.kubectl("delete statefulset db -n default --wait=true --timeout=60s >/dev/null 2>&1");
  n.cp.kubectl("delete pods -l app=db -n default --wait=true --timeout=60s >/dev/null 2>&1");
  n.cp.kubectl("delete pvc -l app=db -n default --wait=true --timeout=60s >/dev/null 2>&1");
  n.cp.kubectl("delete pvc data-db-0 data-db-1 -n default --wait=true --timeout=60s >/dev/null 2>&1");
  n.cp.kubectl("delete pv na-sts-pv0 na-sts-pv1 --wait=true --timeout=60s >/dev/null 2>&1");
}

// Last in the file: the taint stays on the Node until removed here.
TEST_CASE("cluster: a DaemonSet tolerating the node's taint runs one pod there; an intolerant pod stays Pending",
          "[cluster][workloads]") {
  JoinedNode n({"--register-with-taints", "dedicated=infra:NoSchedule"});
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  // The Node may be left from an earlier case without the taint: registration adds it then only
  // on a new Node, so make sure it is there.
  n.cp.kubectl("taint node " + n.node + " dedicated=infra:NoSchedule --overwrite >/dev/null 2>&1");
  int rc = 0;
  auto made = n.cp.apply(
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: default\nspec:\n"
      "  selector:\n    matchLabels: {app: ds}\n  template:\n    metadata:\n      labels: {app: ds}\n    spec:\n"
      "      terminationGracePeriodSeconds: 1\n      tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]\n"
      "      containers:\n      - name: main\n        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
      "        command: [sh, -c, 'exec sleep 3600']\n"
      "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: intolerant\n  namespace: default\nspec:\n"
      "  containers:\n  - name: main\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
      "    command: [sleep, '3600']\n",
      &rc);
  INFO(made);
  REQUIRE(rc == 0);
  CHECK(eventually(90, [&] { return running_on(n.cp, "app=ds", n.node) == 1; }));
  auto pods = api_pods(n.cp, "app=ds");
  REQUIRE(pods.size() == 1);
  // The DaemonSet controller's own tolerations (not-ready, unreachable, ...) beside the template's.
  std::set<std::string> keys;
  for (const auto& t : pods[0]["spec"]["tolerations"]) keys.insert(t.value("key", ""));
  CHECK(keys.count("dedicated"));
  CHECK(keys.count("node.kubernetes.io/unreachable"));
  auto ds = n.cp.kubectl_json("get daemonset agent -n default");
  CHECK(eventually(30, [&] {
    ds = n.cp.kubectl_json("get daemonset agent -n default");
    return ds.is_object() && ds["status"].value("numberReady", 0) == 1 && ds["status"].value("desiredNumberScheduled", 0) == 1;
  }));
  auto intolerant = api_pod(n.cp, "intolerant");
  CHECK(intolerant["status"].value("phase", "") == "Pending");
  CHECK(intolerant["spec"].value("nodeName", "") == "");
  n.cp.kubectl("taint node " + n.node + " dedicated- >/dev/null 2>&1");
}
