// persistentVolumeClaim volumes against the fake Mounter: safe format-and-mount (format only
// what blkid finds empty, never reformat, upstream's message for a different filesystem), the
// bind of a directory PV (read-only for a readOnly claim), idempotent set-up, the unbound
// claim's message, and container mounts/devices from the manager. Real devices and mounts are
// in the e2e test (test/e2e/agent/pvc_e2e_test.cc).
#include <catch2/catch.hpp>

#include <filesystem>

#include "test/fakes/fake_mounter.h"
#include "test/fakes/fake_object_source.h"
#include "test/support/temp_dir.h"
#include "volumes/manager/volume_manager.h"
#include "volumes/pvc/safe_format.h"

using namespace nodeagent;
using nodeagent::testing::TempDir;

namespace {

kube::PersistentVolume local_pv(const std::string& name, const std::string& path) {
  kube::PersistentVolume pv;
  pv.metadata.name = name;
  pv.spec.capacity["storage"] = kube::Quantity::from_value(1 << 30);
  pv.spec.access_modes = {"ReadWriteOnce"};
  pv.spec.local = kube::LocalVolumeSource{path, std::nullopt};
  return pv;
}

kube::PersistentVolumeClaim claim(const std::string& name) {
  kube::PersistentVolumeClaim c;
  c.metadata.name = name;
  c.metadata.namespace_ = "default";
  c.spec.access_modes = {"ReadWriteOnce"};
  c.spec.resources.requests["storage"] = kube::Quantity::from_value(1 << 20);
  return c;
}

kube::Pod pod_with_claim(const std::string& claim_name, bool read_only) {
  kube::Pod pod;
  pod.metadata.uid = "uid-1";
  pod.metadata.name = "app";
  pod.metadata.namespace_ = "default";
  kube::Volume v;
  v.name = "data";
  v.persistent_volume_claim = kube::PersistentVolumeClaimVolumeSource{claim_name, read_only};
  pod.spec.volumes.push_back(v);
  kube::Container c;
  c.name = "app";
  c.volume_mounts.push_back(kube::VolumeMount{});
  c.volume_mounts.back().name = "data";
  c.volume_mounts.back().mount_path = "/data";
  pod.spec.containers.push_back(c);
  return pod;
}

}  // namespace

TEST_CASE("safe format-and-mount formats only an empty device and never reformats") {
  fakes::FakeMounter mounter;
  REQUIRE(volumes::format_and_mount(mounter, "/dev/new", "/mnt/a", "ext4", {"defaults"}).ok());
  CHECK(mounter.calls() == std::vector<std::string>{"format /dev/new ext4", "mount /dev/new /mnt/a ext4 defaults"});

  fakes::FakeMounter used;
  used.set_filesystem("/dev/old", "ext4");
  REQUIRE(volumes::format_and_mount(used, "/dev/old", "/mnt/b", "ext4", {"defaults"}).ok());
  CHECK(used.calls() == std::vector<std::string>{"mount /dev/old /mnt/b ext4 defaults"});

  fakes::FakeMounter other;
  other.set_filesystem("/dev/xfs", "xfs");
  other.faults.fail("mount", invalid("wrong fs type"));
  auto st = volumes::format_and_mount(other, "/dev/xfs", "/mnt/c", "ext4", {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "failed to mount the volume as \"ext4\", it already contains xfs. Mount error: wrong fs type");
  CHECK(other.calls() == std::vector<std::string>{"mount /dev/xfs /mnt/c ext4 "});  // no format

  fakes::FakeMounter partitioned;  // a partition table is data too
  partitioned.set_filesystem("/dev/disk", "gpt");
  partitioned.faults.fail("mount", invalid("bad superblock"));
  CHECK_FALSE(volumes::format_and_mount(partitioned, "/dev/disk", "/mnt/d", "ext4", {}).ok());
  CHECK(partitioned.calls().size() == 1);
}

TEST_CASE("a claim bound to a directory PV is bind-mounted into the pod, read-only when the claim says so") {
  TempDir root("na-pvc");
  std::filesystem::create_directories(root.file("disk"));
  auto mounter = std::make_shared<fakes::FakeMounter>();
  fakes::FakeObjectSource objects;
  volumes::LocalVolumeManager manager(root.path(), mounter, volumes::default_plugins({mounter, &objects, root.path()}));

  // Unbound: the pod waits, with kubelet's words and the binder's reason.
  auto pod = pod_with_claim("data", true);
  auto st = manager.setup_pod_volumes(pod, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "volume \"data\": error processing PVC default/data: persistentvolumeclaim \"data\" not found");
  objects.add(claim("data"));
  st = manager.setup_pod_volumes(pod, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "volume \"data\": error processing PVC default/data: PVC default/data has non-bound phase (\"Pending\") or "
        "empty pvc.Spec.VolumeName (\"\"): no persistent volumes available for this claim and no storage class is set");

  objects.add(local_pv("pv-1", root.file("disk")));
  REQUIRE(manager.setup_pod_volumes(pod, {}).ok());
  const auto dir = root.file("pods/uid-1/volumes/kubernetes.io~local-volume/data");
  CHECK(mounter->calls() == std::vector<std::string>{"bind " + root.file("disk") + " " + dir + " ro"});
  // Each sync sets it up again: nothing is mounted twice.
  REQUIRE(manager.setup_pod_volumes(pod, {}).ok());
  CHECK(mounter->calls().size() == 1);
  // The binding is on disk.
  CHECK(std::filesystem::exists(root.file("pv-binder/bindings.json")));

  auto mounts = manager.container_mounts(pod, pod.spec.containers[0], {});
  REQUIRE(mounts.ok());
  REQUIRE(mounts->size() == 1);
  CHECK((*mounts)[0].host_path == dir);
  CHECK((*mounts)[0].readonly);  // the claim's readOnly, as kubelet's makeMounts

  REQUIRE(manager.teardown_pod_volumes("uid-1").ok());
  CHECK(mounter->calls().back() == "unmount " + dir);
  CHECK(std::filesystem::exists(root.file("disk")));
}

TEST_CASE("volumeDevices need a Block-mode claim") {
  TempDir root("na-pvc");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  fakes::FakeObjectSource objects;
  volumes::LocalVolumeManager manager(root.path(), mounter, volumes::default_plugins({mounter, &objects, root.path()}));
  auto pod = pod_with_claim("data", false);
  pod.spec.containers[0].volume_mounts.clear();
  pod.spec.containers[0].volume_devices.push_back({"data", "/dev/xvda"});
  std::filesystem::create_directories(root.file("disk"));
  objects.add(claim("data"));
  objects.add(local_pv("pv-1", root.file("disk")));
  REQUIRE(manager.setup_pod_volumes(pod, {}).ok());
  auto devices = manager.container_devices(pod, pod.spec.containers[0]);
  REQUIRE_FALSE(devices.ok());
  CHECK(devices.error().message == "volumeDevices \"data\": the claim is not a block volume (volumeMode: Block)");
  REQUIRE(manager.teardown_pod_volumes("uid-1").ok());
}
