#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <thread>

#include "agent/sources/manifest_dir.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::sources;
namespace fs = std::filesystem;
using nodeagent::testing::TempDir;
using namespace std::chrono_literals;

namespace {

const char* kWeb = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: busybox:1.36
)";

}  // namespace

TEST_CASE("static pods get kubelet's name, uid and annotations") {
  TempDir dir("na-manifests");
  dir.write("web.yaml", kWeb);
  std::vector<ManifestProblem> problems;
  ManifestDirSource source(dir.path(), "node-a", 20s, nullptr, [&](const ManifestProblem& p) { problems.push_back(p); });
  auto snap = source.scan();
  REQUIRE(snap.pods.size() == 1);
  const auto& pod = *snap.pods[0];
  CHECK(pod.metadata.name == "web-node-a");
  CHECK(pod.metadata.namespace_ == "default");
  CHECK(pod.spec.node_name == "node-a");
  CHECK(pod.metadata.uid.size() == 32);
  CHECK(pod.metadata.annotations.at("kubernetes.io/config.hash") == pod.metadata.uid);
  CHECK(pod.metadata.annotations.at("kubernetes.io/config.source") == "file");
  CHECK(pod.metadata.annotations.count("kubernetes.io/config.seen"));
  CHECK(problems.empty());

  SECTION("an identical file gives the same uid back; an edit gives a new one") {
    auto uid = pod.metadata.uid;
    fs::remove(dir / "web.yaml");
    CHECK(source.scan().pods.empty());
    dir.write("web.yaml", kWeb);
    CHECK(source.scan().pods.at(0)->metadata.uid == uid);
    dir.write("web.yaml", std::string(kWeb) + "    args: [sleep, '10']\n");
    CHECK(source.scan().pods.at(0)->metadata.uid != uid);
  }
}

TEST_CASE("a malformed document is reported with file and field and affects nothing else") {
  TempDir dir("na-manifests");
  dir.write("web.yaml", kWeb);
  dir.write("bad.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: c
    image: busybox
    ports:
    - containerPort: "eighty"
---
apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  containers: [{name: c, image: busybox}]
)");
  dir.write("broken.yaml", "apiVersion: v1\nkind: Pod\n  metadata: [\n");
  dir.write(".hidden.yaml", "not: [a pod");
  std::vector<ManifestProblem> problems;
  ManifestDirSource source(dir.path(), "n", 20s, nullptr, [&](const ManifestProblem& p) { problems.push_back(p); });
  auto snap = source.scan();
  std::set<std::string> names;
  for (const auto& p : snap.pods) names.insert(p->metadata.name);
  CHECK(names == std::set<std::string>{"web-n", "good-n"});
  REQUIRE(problems.size() == 2);
  std::map<std::string, std::string> by_file;
  for (const auto& p : problems) by_file[fs::path(p.file).filename().string()] = p.message;
  CHECK_THAT(by_file["bad.yaml"], Catch::Contains("spec.containers[0].ports[0].containerPort"));
  CHECK(by_file.count("broken.yaml"));

  SECTION("problems are reported once per file content") {
    source.scan();
    CHECK(problems.size() == 2);
  }
}

TEST_CASE("the watcher publishes a snapshot when a file is added and removed") {
  TempDir dir("na-manifests");
  std::mutex mu;
  std::vector<size_t> sizes;
  ManifestDirSource source(dir.path(), "n", 60s, [&](const ManifestSnapshot& s) {
    std::lock_guard lock(mu);
    sizes.push_back(s.pods.size());
  }, nullptr);
  source.start();
  auto wait_for = [&](size_t n) {
    for (int i = 0; i < 300; ++i) {
      {
        std::lock_guard lock(mu);
        if (!sizes.empty() && sizes.back() == n) return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  CHECK(wait_for(0));
  dir.write("web.yaml", kWeb);
  CHECK(wait_for(1));
  fs::remove(dir / "web.yaml");
  CHECK(wait_for(0));
  source.stop();
}

TEST_CASE("ConfigMaps, Secrets, PVs and PVCs in the directory fill the snapshot's object set") {
  TempDir dir("na-manifests");
  dir.write("objects.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: apps}
stringData: {user: admin}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-1}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /srv/pv-1}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {namespace: x}
)");
  std::vector<ManifestProblem> problems;
  ManifestDirSource source(dir.path(), "node-a", 20s, [](const ManifestSnapshot&) {},
                           [&](const ManifestProblem& p) { problems.push_back(p); });
  auto snap = source.scan();
  REQUIRE(snap.objects.config_maps.size() == 1);
  REQUIRE(snap.objects.secrets.size() == 1);
  REQUIRE(snap.objects.persistent_volumes.size() == 1);
  REQUIRE(snap.objects.persistent_volume_claims.size() == 1);
  CHECK(snap.pods.empty());
  REQUIRE(problems.size() == 1);  // the unnamed ConfigMap
  CHECK(problems[0].message == "metadata.name: Required value");

  kube::InMemoryObjectStore store;
  store.replace_all(snap.objects);
  CHECK(store.get_config_map("default", "settings")->data.at("mode") == "fast");
  CHECK(store.get_secret("apps", "creds")->data.at("user") == "admin");
  CHECK(store.get_persistent_volume("pv-1")->spec.host_path->path == "/srv/pv-1");
  CHECK(store.get_persistent_volume_claim("default", "data")->spec.volume_mode == "Filesystem");
}
