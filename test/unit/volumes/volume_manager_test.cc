// LocalVolumeManager's dispatch: each volume to the plugin that handles it, in the kubelet
// directory layout; unsupported sources keep their clear error; teardown lets each plugin
// unmount before anything is removed, and never touches a hostPath.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "test/fakes/fake_mounter.h"
#include "test/support/temp_dir.h"
#include "volumes/manager/volume_manager.h"

using namespace nodeagent;
using nodeagent::testing::TempDir;

namespace {

// A plugin that records what the manager asks of it.
class RecordingPlugin : public volumes::VolumePlugin {
 public:
  std::string name() const override { return "example.com/recording"; }
  bool handles(const kube::Volume& v) const override { return v.config_map.has_value(); }
  Status set_up(const kube::Pod&, const kube::Volume& v, const std::string& dir, const volumes::PodVolumeContext&) override {
    calls.push_back("set_up " + v.name + " " + dir);
    return ok_status();
  }
  Status tear_down(const std::string& dir) override {
    calls.push_back("tear_down " + dir);
    return ok_status();
  }
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir + "/data"; }
  std::vector<std::string> calls;
};

kube::Pod pod_with(std::vector<kube::Volume> volumes) {
  kube::Pod pod;
  pod.metadata.uid = "uid-1";
  pod.spec.volumes = std::move(volumes);
  return pod;
}

kube::Volume volume(const std::string& name) {
  kube::Volume v;
  v.name = name;
  return v;
}

}  // namespace

TEST_CASE("volumes go to their plugin in <root>/pods/<uid>/volumes/<plugin>/<name>") {
  TempDir root("na-volmgr");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::LocalVolumeManager manager(root.path(), mounter, volumes::default_plugins({mounter, nullptr, root.path()}));

  auto scratch = volume("scratch");
  scratch.empty_dir = kube::EmptyDirVolumeSource{"Memory", std::nullopt};
  auto host = volume("host");
  host.host_path = kube::HostPathVolumeSource{root.file("host"), "DirectoryOrCreate"};
  auto pod = pod_with({scratch, host});

  REQUIRE(manager.setup_pod_volumes(pod, {}).ok());
  const auto dir = root.file("pods/uid-1/volumes/kubernetes.io~empty-dir/scratch");
  CHECK(mounter->calls() == std::vector<std::string>{"mount_tmpfs " + dir + " mode=0777"});
  CHECK(manager.volume_path("uid-1", scratch) == dir);
  CHECK(manager.volume_path("uid-1", host) == root.file("host"));
  CHECK(std::filesystem::is_directory(root.file("host")));

  kube::Container c;
  c.name = "app";
  c.volume_mounts = {kube::VolumeMount{}, kube::VolumeMount{}};
  c.volume_mounts[0].name = "scratch";
  c.volume_mounts[0].mount_path = "/scratch";
  c.volume_mounts[1].name = "host";
  c.volume_mounts[1].mount_path = "/host";
  c.volume_mounts[1].read_only = true;
  auto mounts = manager.container_mounts(pod, c, {});
  REQUIRE(mounts.ok());
  REQUIRE(mounts->size() == 2);
  CHECK((*mounts)[0].host_path == dir);
  CHECK((*mounts)[1].host_path == root.file("host"));
  CHECK((*mounts)[1].readonly);

  std::ofstream(root.file("host/keep")) << "x";
  REQUIRE(manager.teardown_pod_volumes("uid-1").ok());
  CHECK(mounter->calls().back() == "unmount " + dir);
  CHECK_FALSE(std::filesystem::exists(root.file("pods/uid-1/volumes")));
  CHECK(std::filesystem::exists(root.file("host/keep")));  // hostPath contents are never removed
}

TEST_CASE("sources no plugin handles keep the clear \"not supported\" error") {
  TempDir root("na-volmgr");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::LocalVolumeManager manager(root.path(), mounter, volumes::default_plugins({mounter, nullptr, root.path()}));
  auto nfs = volume("share");
  nfs.unsupported = kube::UnsupportedVolumeSource{"nfs", {}};

  auto st = manager.setup_pod_volumes(pod_with({nfs}), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "volume \"share\": nfs volumes are not supported by this agent yet");
}

TEST_CASE("the node's plugins carry kubelet's names") {
  auto mounter = std::make_shared<fakes::FakeMounter>();
  std::vector<std::string> names;
  for (const auto& p : volumes::default_plugins({mounter, nullptr, "/nonexistent"})) names.push_back(p->name());
  for (const char* want : {"kubernetes.io/empty-dir", "kubernetes.io/host-path", "kubernetes.io/configmap",
                           "kubernetes.io/secret", "kubernetes.io/downward-api", "kubernetes.io/projected",
                           "kubernetes.io/local-volume"})
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
}

TEST_CASE("a registered plugin gets its volumes, its directory and its teardown") {
  TempDir root("na-volmgr");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  auto plugins = volumes::default_plugins({mounter, nullptr, root.path()});
  auto recording = std::make_unique<RecordingPlugin>();
  auto* rec = recording.get();
  plugins.insert(plugins.begin(), std::move(recording));  // asked first: it takes configMaps
  volumes::LocalVolumeManager manager(root.path(), mounter, std::move(plugins));

  auto cm = volume("config");
  cm.config_map = kube::ConfigMapVolumeSource{};
  REQUIRE(manager.setup_pod_volumes(pod_with({cm}), {}).ok());
  const auto dir = root.file("pods/uid-1/volumes/example.com~recording/config");
  REQUIRE(rec->calls == std::vector<std::string>{"set_up config " + dir});
  CHECK(manager.volume_path("uid-1", cm) == dir + "/data");

  std::filesystem::create_directories(dir);
  REQUIRE(manager.teardown_pod_volumes("uid-1").ok());
  CHECK(rec->calls.back() == "tear_down " + dir);
}

TEST_CASE("teardown unmounts a directory no plugin owns, and stops on an unmount error") {
  TempDir root("na-volmgr");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  volumes::LocalVolumeManager manager(root.path(), mounter, volumes::default_plugins({mounter, nullptr, root.path()}));
  const auto old = root.file("pods/uid-1/volumes/kubernetes.io~nfs/share");
  std::filesystem::create_directories(old);
  mounter->add_mounted(old);

  mounter->faults.fail("unmount", internal("busy"));
  REQUIRE_FALSE(manager.teardown_pod_volumes("uid-1").ok());
  CHECK(std::filesystem::exists(old));  // nothing removed through a mount

  REQUIRE(manager.teardown_pod_volumes("uid-1").ok());
  CHECK(mounter->calls().back() == "unmount " + old);
  CHECK_FALSE(std::filesystem::exists(root.file("pods/uid-1")  + "/volumes"));
}
