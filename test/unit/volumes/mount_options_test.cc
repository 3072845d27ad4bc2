// container_mounts with subPath, subPathExpr, propagation and recursive read-only: what the
// runtime is given (the subPath's own bind target, never the path inside the volume), kubelet's
// errors, and the subPath mounts going before the volumes at teardown.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "test/fakes/fake_mounter.h"
#include "test/support/temp_dir.h"
#include "util/pod_state_dir.h"
#include "volumes/manager/mount_options.h"
#include "volumes/manager/volume_manager.h"

using namespace nodeagent;
using nodeagent::testing::TempDir;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  TempDir root{"na-volmounts"};
  std::shared_ptr<fakes::FakeMounter> mounter = std::make_shared<fakes::FakeMounter>();
  volumes::LocalVolumeManager manager{root.path(), mounter, volumes::default_plugins({mounter, nullptr, root.path()})};
  kube::Pod pod;
  kube::Container c;
  std::string host_dir = root.file("host");

  Fixture() {
    pod.metadata.uid = "uid-1";
    kube::Volume host;
    host.name = "host";
    host.host_path = kube::HostPathVolumeSource{host_dir, "DirectoryOrCreate"};
    pod.spec.volumes = {host};
    REQUIRE(manager.setup_pod_volumes(pod, {}).ok());
    c.name = "app";
    manager.set_recursive_read_only_supported(true);
  }
  kube::VolumeMount& mount(const std::string& path) {
    kube::VolumeMount m;
    m.name = "host";
    m.mount_path = path;
    c.volume_mounts.push_back(m);
    return c.volume_mounts.back();
  }
};

}  // namespace

TEST_CASE("a subPath mount gives the runtime its own bind target, created on demand") {
  Fixture f;
  f.mount("/plain");
  f.mount("/nested").sub_path = "a/b/c";
  f.mount("/expr").sub_path_expr = "logs/$(POD_NAME)";
  auto mounts = f.manager.container_mounts(f.pod, f.c, {{{"POD_NAME", "web-1"}}});
  REQUIRE(mounts.ok());
  PodStateDir paths(f.root.path());
  CHECK((*mounts)[0].host_path == f.host_dir);
  CHECK((*mounts)[1].host_path == paths.volume_subpath_target("uid-1", "host", "app", 1));
  CHECK((*mounts)[2].host_path == paths.volume_subpath_target("uid-1", "host", "app", 2));
  CHECK(fs::is_directory(f.host_dir + "/a/b/c"));
  CHECK(fs::is_directory(f.host_dir + "/logs/web-1"));

  // Teardown takes the subPath mounts down first, and leaves the hostPath's content alone.
  REQUIRE(f.manager.teardown_pod_volumes("uid-1").ok());
  CHECK_FALSE(fs::exists(paths.volume_subpaths_dir("uid-1")));
  CHECK(fs::is_directory(f.host_dir + "/a/b/c"));
  auto calls = f.mounter->calls();
  CHECK(std::count_if(calls.begin(), calls.end(), [](const std::string& s) { return s.rfind("unmount ", 0) == 0; }) == 2);
}

TEST_CASE("a subPath through a planted symlink is refused, and nothing is mounted") {
  Fixture f;
  fs::create_symlink("/", f.host_dir + "/x");
  f.mount("/x").sub_path = "x";
  auto mounts = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE_FALSE(mounts.ok());
  CHECK(mounts.error().message.find("subPath \"x\" is outside the volume") != std::string::npos);
  CHECK(f.mounter->calls().empty());
}

TEST_CASE("subPathExpr with an unset variable or expanding to `..` is refused") {
  Fixture f;
  f.mount("/x").sub_path_expr = "$(WHO)";
  CHECK(f.manager.container_mounts(f.pod, f.c, {}).error().message.find("missing value for WHO") != std::string::npos);
  CHECK_FALSE(f.manager.container_mounts(f.pod, f.c, {{{"WHO", ".."}}}).ok());
}

TEST_CASE("mountPropagation: None, HostToContainer, Bidirectional (privileged only, on a shared source)") {
  Fixture f;
  f.mount("/none").mount_propagation = "None";
  f.mount("/h2c").mount_propagation = "HostToContainer";
  auto mounts = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE(mounts.ok());
  CHECK((*mounts)[0].propagation.empty());
  CHECK((*mounts)[1].propagation == "rslave");

  f.mount("/bidi").mount_propagation = "Bidirectional";
  auto refused = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message ==
        "volumeMount \"host\" of container \"app\": Bidirectional mount propagation is available only to privileged containers");
  f.c.security_context = kube::SecurityContext{};
  f.c.security_context->privileged = true;
  mounts = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE(mounts.ok());
  CHECK((*mounts)[2].propagation == "rshared");

  // A private source would never propagate: refused as containerd's CRI does.
  f.mounter->set_propagation(f.host_dir, {"/", false, true});
  refused = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("is mounted on \"/\" but it is not a shared mount") != std::string::npos);
  f.mounter->set_propagation(f.host_dir, {"/", false, false});
  f.c.volume_mounts.pop_back();
  refused = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("but it is not a shared or slave mount") != std::string::npos);
}

TEST_CASE("recursiveReadOnly: rro when Enabled or IfPossible and supported; Enabled errs when not") {
  Fixture f;
  auto& plain = f.mount("/ro");
  plain.read_only = true;
  auto& enabled = f.mount("/rro");
  enabled.read_only = true;
  enabled.recursive_read_only = "Enabled";
  auto& maybe = f.mount("/maybe");
  maybe.read_only = true;
  maybe.recursive_read_only = "IfPossible";
  auto mounts = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE(mounts.ok());
  CHECK((*mounts)[0].readonly);
  CHECK((*mounts)[0].extra_options.empty());
  CHECK((*mounts)[1].extra_options == std::vector<std::string>{"rro"});
  CHECK((*mounts)[2].extra_options == std::vector<std::string>{"rro"});

  f.manager.set_recursive_read_only_supported(false);
  auto refused = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("requires recursiveReadOnly to be \"Enabled\", but it is not supported") !=
        std::string::npos);
  f.c.volume_mounts.erase(f.c.volume_mounts.begin() + 1);
  mounts = f.manager.container_mounts(f.pod, f.c, {});
  REQUIRE(mounts.ok());
  CHECK((*mounts)[1].readonly);
  CHECK((*mounts)[1].extra_options.empty());  // IfPossible: plain read-only

  kube::VolumeMount rw;
  rw.name = "v";
  rw.recursive_read_only = "Enabled";
  CHECK_FALSE(volumes::resolve_recursive_read_only(rw, true).ok());
}

TEST_CASE("the runtime here supports recursive read-only (runc features lists rro, kernel has mount_setattr)",
          "[.host]") {
  CHECK(volumes::recursive_read_only_supported());
}
