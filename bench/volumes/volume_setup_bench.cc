// Volume set-up benchmark: prints figures (it is not a test). Needs root (real mounts).
//
//   volume_setup_bench [runs]        (default 100)
//
// What it measures: the time LocalVolumeManager (the node's real plugins over the Linux mounter)
// takes to set up the volumes of a new pod, for a pod with only an emptyDir and for the same pod
// with one more volume of each type, then what that type adds at p50/p99; also the cost of
// the set-up again on each sync of a running pod with nothing changed (the resync), and of the
// teardown. The pods, their objects and the host paths are made under a temp dir, everything is
// unmounted and removed at the end (also when a run fails). This is the part of pod start the
// volume work adds; bench/pods/pod_start_bench.sh measures a whole pod start.
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "kube/decode.h"
#include "kube/object_store.h"
#include "util/mountinfo.h"
#include "volumes/manager/volume_manager.h"

using namespace nodeagent;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// One extra volume beside the emptyDir every pod has ("" for the baseline pod).
struct Variant {
  std::string name;
  std::string volume_json;
};

std::vector<Variant> variants(const std::string& host_dir) {
  return {
      {"emptyDir only", ""},
      {"+ emptyDir Memory", R"({"name":"x","emptyDir":{"medium":"Memory","sizeLimit":"1Mi"}})"},
      {"+ hostPath", fmt::format(R"({{"name":"x","hostPath":{{"path":"{}","type":"Directory"}}}})", host_dir)},
      {"+ configMap", R"({"name":"x","configMap":{"name":"settings"}})"},
      {"+ secret", R"({"name":"x","secret":{"secretName":"creds"}})"},
      {"+ downwardAPI", R"({"name":"x","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
                                                               {"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}})"},
      {"+ projected", R"({"name":"x","projected":{"sources":[{"configMap":{"name":"settings"}},{"secret":{"name":"creds"}},
                         {"downwardAPI":{"items":[{"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}}]}})"},
      {"+ persistentVolumeClaim", R"({"name":"x","persistentVolumeClaim":{"claimName":"data"}})"},
  };
}

kube::Pod make_pod(const Variant& v, int run) {
  auto volumes = nlohmann::json::array({nlohmann::json::parse(R"({"name":"scratch","emptyDir":{}})")});
  if (!v.volume_json.empty()) volumes.push_back(nlohmann::json::parse(v.volume_json));
  nlohmann::json doc = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "bench"}, {"namespace", "default"}, {"uid", fmt::format("bench-{}", run)},
                    {"labels", {{"app", "bench"}, {"tier", "web"}}}}},
      {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}, {"volumes", volumes}}}};
  auto pod = kube::decode_pod(doc);
  if (!pod.ok()) {
    std::fprintf(stderr, "volume_setup_bench: %s\n", pod.error().message.c_str());
    std::exit(1);
  }
  return pod->object;
}

template <typename T>
T decoded(const std::string& json_text, Result<kube::Decoded<T>> (*decode)(const nlohmann::json&)) {
  auto r = decode(nlohmann::json::parse(json_text));
  if (!r.ok()) {
    std::fprintf(stderr, "volume_setup_bench: %s\n", r.error().message.c_str());
    std::exit(1);
  }
  return r->object;
}

kube::ObjectSet objects(const std::string& pv_dir) {
  kube::ObjectSet set;
  set.config_maps.push_back(decoded<kube::ConfigMap>(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},
          "data":{"mode":"fast","level":"3","config.yaml":"a: 1\nb: 2\n"}})",
      kube::decode_config_map));
  set.secrets.push_back(decoded<kube::Secret>(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds","namespace":"default"},
          "data":{"user":"YWRtaW4=","password":"czNjcjN0"}})",
      kube::decode_secret));
  set.persistent_volumes.push_back(decoded<kube::PersistentVolume>(
      fmt::format(R"({{"apiVersion":"v1","kind":"PersistentVolume","metadata":{{"name":"pv-data"}},
          "spec":{{"capacity":{{"storage":"1Gi"}},"accessModes":["ReadWriteMany"],"storageClassName":"local",
                   "hostPath":{{"path":"{}"}}}}}})",
                  pv_dir),
      kube::decode_persistent_volume));
  set.persistent_volume_claims.push_back(decoded<kube::PersistentVolumeClaim>(
      R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"default"},
          "spec":{"accessModes":["ReadWriteMany"],"storageClassName":"local","resources":{"requests":{"storage":"1Gi"}}}})",
      kube::decode_persistent_volume_claim));
  return set;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct Figures {
  std::vector<double> setup, resync, teardown;
};

void fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "volume_setup_bench: %s: %s\n", what.c_str(), st.error().message.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 100;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "volume_setup_bench: needs root (mounts)\n");
    return 1;
  }
  char tmpl[] = "/tmp/na-bench-vol-XXXXXX";
  const std::string work = ::mkdtemp(tmpl);
  const std::string root = work + "/root", host_dir = work + "/host", pv_dir = work + "/pv";
  fs::create_directories(host_dir);
  fs::create_directories(pv_dir);
  kube::InMemoryObjectStore store;
  (void)store.replace_all(objects(pv_dir));
  volumes::LocalVolumeManager manager(root, &store);
  volumes::PodVolumeContext ctx;
  ctx.downward.node_name = "bench-node";
  ctx.downward.pod_ip = "10.244.0.9";

  std::vector<Figures> figures;
  auto list = variants(host_dir);
  for (const auto& v : list) {
    Figures f;
    for (int run = 0; run < runs; ++run) {
      const auto pod = make_pod(v, run);
      auto t0 = Clock::now();
      if (auto st = manager.setup_pod_volumes(pod, ctx); !st.ok()) fail(v.name, st);
      auto t1 = Clock::now();
      if (auto st = manager.setup_pod_volumes(pod, ctx); !st.ok()) fail(v.name + " resync", st);
      auto t2 = Clock::now();
      if (auto st = manager.teardown_pod_volumes(pod.metadata.uid); !st.ok()) fail(v.name + " teardown", st);
      auto t3 = Clock::now();
      f.setup.push_back(ms(t1 - t0));
      f.resync.push_back(ms(t2 - t1));
      f.teardown.push_back(ms(t3 - t2));
    }
    figures.push_back(std::move(f));
  }

  std::printf("volume set-up of a new pod, %d runs each (ms)\n", runs);
  std::printf("%-24s %8s %8s %10s %9s %9s %9s\n", "pod volumes", "p50", "p99", "adds p50", "resync50", "resync99",
              "teardn50");
  const double base = percentile(figures[0].setup, 0.5);
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& f = figures[i];
    const double p50 = percentile(f.setup, 0.5);
    std::printf("%-24s %8.3f %8.3f %+10.3f %9.3f %9.3f %9.3f\n", list[i].name.c_str(), p50, percentile(f.setup, 0.99),
                i == 0 ? 0.0 : p50 - base, percentile(f.resync, 0.5), percentile(f.resync, 0.99),
                percentile(f.teardown, 0.5));
  }
  std::printf("target: each volume type adds <= 5 ms p50 to pod start\n");

  // Nothing may be left mounted under the work dir; then it goes.
  if (auto mounts = read_mountinfo(); mounts.ok())
    for (const auto& m : *mounts)
      if (m.mount_point.rfind(work, 0) == 0) {
        std::fprintf(stderr, "volume_setup_bench: left mounted: %s\n", m.mount_point.c_str());
        ::umount2(m.mount_point.c_str(), MNT_DETACH);
      }
  std::error_code ec;
  fs::remove_all(work, ec);
  return 0;
}
