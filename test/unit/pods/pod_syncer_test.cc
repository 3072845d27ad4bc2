// PodSyncer against fakes of every edge (syncer_harness.h): the order of set-up and tear-down
// across edges, kubelet's events and waiting reasons, back-off with a manual clock, adoption
// after an agent restart, admission and Service environment variables.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "syncer_harness.h"

using namespace nodeagent;
using namespace nodeagent::pods;
using namespace nodeagent::testing;
using namespace std::chrono_literals;
using Catch::StartsWith;
using Strings = std::vector<std::string>;

namespace {

// The calls that change something on the node; the reads (list, find, status) happen on every
// sync and are left out of order assertions.
const std::set<std::string> kSetUp = {"cgroup.ensure", "sandbox.ensure", "network.setup", "volumes.setup",
                                      "images.pull",   "containers.create", "containers.start"};
const std::set<std::string> kChanges = {"cgroup.ensure",     "cgroup.remove",    "sandbox.ensure",  "sandbox.remove",
                                        "network.setup",     "network.teardown", "volumes.setup",   "volumes.teardown",
                                        "images.pull",       "containers.create", "containers.start", "containers.stop",
                                        "containers.remove", "status.remove"};

bool has_env(const runtime::ContainerConfig& c, const std::string& kv) {
  return std::find(c.env.begin(), c.env.end(), kv) != c.env.end();
}

std::string label(const runtime::ContainerConfig& c, const char* key) {
  auto it = c.labels.find(key);
  return it == c.labels.end() ? "" : it->second;
}

kube::Service service(const std::string& name, const std::string& ip, int32_t port) {
  kube::Service s;
  s.metadata.namespace_ = "default";
  s.metadata.name = name;
  s.spec.cluster_ip = ip;
  kube::ServicePort p;
  p.port = port;
  s.spec.ports.push_back(p);
  return s;
}

}  // namespace

TEST_CASE("a new pod: cgroup, sandbox, network, volumes, then containers in spec order, with kubelet's events") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"a", "b"}));
  auto result = h.sync(p);
  CHECK_FALSE(result.requeue_after);

  CHECK(h.log.only(kSetUp) == Strings{"cgroup.ensure uid-web", "sandbox.ensure uid-web", "network.setup uid-web",
                                      "volumes.setup uid-web", "images.pull busybox:1.36", "containers.create a",
                                      "containers.start a", "containers.create b", "containers.start b"});
  // The image is pulled once; b finds it present.
  CHECK(h.events.reasons() == Strings{"Pulling", "Pulled", "Created", "Started", "Created", "Started"});
  auto events = h.events.events();
  CHECK(events[0].message == "Pulling image \"busybox:1.36\"");
  CHECK_THAT(events[1].message, StartsWith("Successfully pulled image \"busybox:1.36\" in "));
  CHECK(events[2].message == "Created container a");
  CHECK(events[3].message == "Started container a");
  CHECK(std::all_of(events.begin(), events.end(), [](const auto& e) { return e.type == "Normal"; }));

  // The containers join what the earlier steps made.
  auto created = h.containers.created();
  REQUIRE(created.size() == 2);
  CHECK(created[0].id == SyncerHarness::id_of(*p, "a"));
  CHECK(created[0].namespaces.network == "/fake/pods/uid-web/ns/net");
  CHECK(created[0].resources.cgroups_path == fakes::FakePodCgroups::parent_of("uid-web") + "/" + created[0].id);
  auto hosts = std::find_if(created[0].mounts.begin(), created[0].mounts.end(),
                            [](const auto& m) { return m.container_path == "/etc/hosts"; });
  REQUIRE(hosts != created[0].mounts.end());
  CHECK(hosts->host_path == h.config.paths.pod_dir("uid-web") + "/etc/etc-hosts");
  CHECK(std::filesystem::exists(hosts->host_path));
  REQUIRE(h.network.setup_sandboxes.size() == 1);
  CHECK(h.network.setup_sandboxes[0].netns_path == "/fake/pods/uid-web/ns/net");

  auto s = h.status.last("uid-web");
  REQUIRE(s);
  CHECK(s->sandbox_ready);
  CHECK(s->pod_ips == Strings{"10.244.0.2"});
  CHECK(s->host_ip == "192.168.50.1");
  CHECK(s->waiting.empty());
  REQUIRE(s->latest("a"));
  CHECK(s->latest("a")->state.state == runtime::ContainerStateKind::kRunning);
  CHECK(s->latest("a")->image_id == h.images.image_status("busybox:1.36")->id);
  REQUIRE(s->latest("b"));

  SECTION("a second sync of the running pod changes nothing but refreshes its volumes") {
    h.log.clear();
    h.events.clear();
    CHECK_FALSE(h.sync(p).requeue_after);
    // Volume set-up is idempotent and runs on each sync, so object updates reach running pods.
    CHECK(h.log.only(kChanges) == Strings{"volumes.setup uid-web"});
    CHECK(h.events.events().empty());
  }
}

TEST_CASE("a sandbox failure: FailedCreatePodSandBox, back-off requeue, nothing started") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));

  SECTION("the namespaces cannot be made") {
    h.sandboxes.faults.fail("ensure", internal("mount ipc namespace: permission denied"));
    auto result = h.sync(p);
    REQUIRE(result.requeue_after);
    CHECK(*result.requeue_after == 1s);
    auto e = h.events.find("FailedCreatePodSandBox");
    REQUIRE(e);
    CHECK(e->type == "Warning");
    CHECK(e->message == "Failed to create pod sandbox: mount ipc namespace: permission denied");
    CHECK(h.log.only(kSetUp) == Strings{"cgroup.ensure uid-web", "sandbox.ensure uid-web"});

    auto s = h.published(*p);
    CHECK_FALSE(s.sandbox_ready);
    CHECK(s.sandbox_error == "mount ipc namespace: permission denied");
    REQUIRE(s.waiting.count("app"));
    CHECK(s.waiting["app"].reason == "ContainerCreating");

    // Within the back-off the sandbox is not tried again.
    h.log.clear();
    REQUIRE(h.sync(p).requeue_after);
    CHECK(h.log.only(kSetUp).empty());
    CHECK(h.published(*p).waiting["app"].reason == "ContainerCreating");

    SECTION("once the back-off has passed, the pod starts") {
      h.clock.advance(1s);
      CHECK_FALSE(h.sync(p).requeue_after);
      CHECK(h.log.only({"sandbox.ensure", "containers.start"}) == Strings{"sandbox.ensure uid-web", "containers.start app"});
      auto started = h.published(*p);
      CHECK(started.sandbox_ready);
      CHECK(started.sandbox_error.empty());
      CHECK(started.waiting.empty());
    }
    SECTION("a second failure doubles the back-off") {
      h.sandboxes.faults.fail("ensure", internal("still no"));
      h.clock.advance(1s);
      auto again = h.sync(p);
      REQUIRE(again.requeue_after);
      CHECK(*again.requeue_after == 2s);
      CHECK(h.containers.created().empty());
    }
  }
  SECTION("the network cannot be set up") {
    h.network.faults.fail("setup", unavailable("no IP left in 10.244.0.0/24"));
    auto result = h.sync(p);
    REQUIRE(result.requeue_after);
    CHECK(*result.requeue_after == 1s);
    REQUIRE(h.events.find("FailedCreatePodSandBox"));
    CHECK(h.events.find("FailedCreatePodSandBox")->message == "Failed to create pod sandbox: no IP left in 10.244.0.0/24");
    CHECK(h.containers.created().empty());
    CHECK_FALSE(h.published(*p).sandbox_ready);
  }
}

TEST_CASE("a volume that cannot be set up: FailedMount, retried after 500 ms doubling (kubelet's), nothing started") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));
  h.volumes.faults.fail("setup", invalid("volume \"config\": configMap volumes are not supported"));
  auto result = h.sync(p);
  REQUIRE(result.requeue_after);
  CHECK(*result.requeue_after == 500ms);
  REQUIRE(h.events.find("FailedMount"));
  CHECK(h.events.find("FailedMount")->message ==
        "MountVolume.SetUp failed: volume \"config\": configMap volumes are not supported");
  CHECK(h.containers.created().empty());
  CHECK(h.published(*p).waiting["app"].reason == "ContainerCreating");

  h.volumes.faults.fail("setup", invalid("still not"));
  h.clock.advance(500ms);
  result = h.sync(p);
  REQUIRE(result.requeue_after);
  CHECK(*result.requeue_after == 1s);

  h.clock.advance(1s);
  h.sync(p);
  CHECK(h.containers.created().size() == 1);
}

TEST_CASE("imagePullPolicy Never with the image absent: ErrImageNeverPull, no pull, no container") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app"});
  spec.spec.containers[0].image_pull_policy = "Never";

  SECTION("absent") {
    auto p = share(spec);
    h.sync(p);
    auto s = h.published(*p);
    REQUIRE(s.waiting.count("app"));
    CHECK(s.waiting["app"].reason == "ErrImageNeverPull");
    CHECK(s.waiting["app"].message == "Container image \"busybox:1.36\" is not present with pull policy of Never");
    REQUIRE(h.events.find("ErrImageNeverPull"));
    CHECK(h.events.find("ErrImageNeverPull")->type == "Warning");
    CHECK(h.images.pulls.empty());
    CHECK(h.containers.created().empty());
  }
  SECTION("present: started without a pull") {
    runtime::ImageInfo image;
    image.id = "sha256:" + std::string(64, '1');
    image.repo_tags = {"busybox:1.36"};
    h.images.add_image(image);
    auto p = share(spec);
    h.sync(p);
    CHECK(h.images.pulls.empty());
    CHECK(h.containers.created().size() == 1);
    CHECK(h.published(*p).waiting.empty());
  }
}

TEST_CASE("a failed pull: ErrImagePull, then ImagePullBackOff until the back-off has passed") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));
  h.images.pull_error = unavailable("registry.example: connection refused");
  auto first = h.sync(p);
  REQUIRE(first.requeue_after);
  CHECK(*first.requeue_after == 10s);
  CHECK(h.published(*p).waiting["app"].reason == "ErrImagePull");
  CHECK(h.events.find("Failed")->message == "Failed to pull image \"busybox:1.36\": registry.example: connection refused");

  h.sync(p);
  CHECK(h.images.pulls.size() == 1);  // held back
  CHECK(h.published(*p).waiting["app"].reason == "ImagePullBackOff");

  h.images.pull_error.reset();
  h.clock.advance(10s);
  h.sync(p);
  CHECK(h.images.pulls.size() == 2);
  CHECK(h.containers.created().size() == 1);
  CHECK(h.published(*p).waiting.empty());
}

TEST_CASE("a crash loop under restartPolicy Always: first restart immediate, then CrashLoopBackOff 10s, 20s") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));
  h.sync(p);
  h.containers.exit_container(SyncerHarness::id_of(*p, "app", 0), 1, h.clock.now());

  // First restart: immediate, with the exited task released first.
  CHECK_FALSE(h.sync(p).requeue_after);
  CHECK(h.containers.released() == Strings{SyncerHarness::id_of(*p, "app", 0)});
  auto created = h.containers.created();
  REQUIRE(created.size() == 2);
  CHECK(label(created[1], labels::kAttempt) == "1");
  REQUIRE(h.published(*p).latest("app"));
  CHECK(h.published(*p).latest("app")->state.state == runtime::ContainerStateKind::kRunning);
  CHECK(h.published(*p).previous("app")->state.exit_code == 1);

  // Second crash: held back 10s from when it finished.
  h.containers.exit_container(SyncerHarness::id_of(*p, "app", 1), 2, h.clock.now());
  auto held = h.sync(p);
  REQUIRE(held.requeue_after);
  CHECK(*held.requeue_after == 10s);
  CHECK(h.containers.created().size() == 2);
  auto s = h.published(*p);
  REQUIRE(s.waiting.count("app"));
  CHECK(s.waiting["app"].reason == "CrashLoopBackOff");
  CHECK_THAT(s.waiting["app"].message, StartsWith("back-off 10s restarting failed container=app pod=web_default(uid-web)"));

  h.clock.advance(4s);
  auto still = h.sync(p);
  REQUIRE(still.requeue_after);
  CHECK(*still.requeue_after == 6s);
  CHECK(h.containers.created().size() == 2);

  // Back-off over: restarted, and the oldest attempt is collected (two are kept).
  h.clock.advance(6s);
  CHECK_FALSE(h.sync(p).requeue_after);
  created = h.containers.created();
  REQUIRE(created.size() == 3);
  CHECK(label(created[2], labels::kAttempt) == "2");
  CHECK_FALSE(h.containers.container_status(SyncerHarness::id_of(*p, "app", 0)).ok());
  CHECK(h.containers.container_status(SyncerHarness::id_of(*p, "app", 1)).ok());
  CHECK(h.published(*p).waiting.empty());

  // The next crash waits twice as long.
  h.containers.exit_container(SyncerHarness::id_of(*p, "app", 2), 1, h.clock.now());
  auto doubled = h.sync(p);
  REQUIRE(doubled.requeue_after);
  CHECK(*doubled.requeue_after == 20s);
  CHECK_THAT(h.published(*p).waiting["app"].message, StartsWith("back-off 20s "));
}

// Calls terminate_pod until it reports done, moving the clock on by what it asks; the number
// of calls.
int terminate_until_done(SyncerHarness& h, const PodPtr& p) {
  for (int calls = 1; calls <= 20; ++calls) {
    auto step = h.syncer->terminate_pod(p);
    REQUIRE(step.ok());
    if (step->done) return calls;
    h.clock.advance(step->retry_after);
  }
  FAIL("terminate_pod never finished");
  return 0;
}

TEST_CASE("terminate_pod stops app containers first, then sidecars last-first, with the grace period") {
  SyncerHarness h;
  runtime::ImageInfo nginx;
  nginx.id = "sha256:" + std::string(64, '2');
  nginx.repo_tags = {"nginx:1.25"};
  nginx.config.stop_signal = "SIGQUIT";
  h.images.add_image(nginx);

  auto spec = runnable_pod("web", {"a", "b"}, {"setup", "proxy", "logger"});
  spec.spec.init_containers[1].restart_policy = "Always";
  spec.spec.init_containers[2].restart_policy = "Always";
  spec.spec.containers[0].image = "nginx:1.25";
  spec.spec.termination_grace_period_seconds = 7;
  auto p = share(spec);

  // Bring it up: setup runs to completion, the sidecars start one per sync, then the apps.
  h.sync(p);
  h.containers.exit_container(SyncerHarness::id_of(*p, "setup"), 0, h.clock.now());
  for (int i = 0; i < 3; ++i) h.sync(p);
  Strings names;
  for (const auto& c : h.containers.created()) names.push_back(label(c, labels::kContainerName));
  REQUIRE(names == Strings{"setup", "proxy", "logger", "a", "b"});

  SECTION("apps together, then sidecars last-first, each step without waiting") {
    h.events.clear();
    auto step = h.syncer->terminate_pod(p);
    REQUIRE(step.ok());
    CHECK_FALSE(step->done);
    auto stops = h.containers.stops();
    REQUIRE(stops.size() == 2);
    // The apps get their signal together (their order is not fixed), the image's STOPSIGNAL.
    CHECK(Strings{std::min(stops[0].name, stops[1].name), std::max(stops[0].name, stops[1].name)} == Strings{"a", "b"});
    for (const auto& s : stops) CHECK(s.signal == (s.name == "a" ? SIGQUIT : SIGTERM));
    CHECK(terminate_until_done(h, p) == 3);  // logger, proxy, then nothing is left
    stops = h.containers.stops();
    REQUIRE(stops.size() == 4);
    CHECK(stops[2].name == "logger");
    CHECK(stops[3].name == "proxy");
    CHECK(h.events.reasons() == Strings{"Killing", "Killing", "Killing", "Killing"});
    CHECK(h.events.events()[3].message == "Stopping container proxy");
  }
  SECTION("a container that ignores its signal gets SIGKILL when the grace period is over") {
    h.containers.ignore_signals(SyncerHarness::id_of(*p, "a"));
    h.events.clear();
    auto step = h.syncer->terminate_pod(p);
    REQUIRE(step.ok());
    CHECK(step->retry_after == 7s);  // the pod's grace period is what is left
    h.clock.advance(6s);
    step = h.syncer->terminate_pod(p);
    CHECK(step->retry_after == 1s);
    CHECK(h.containers.stops().size() == 2);  // no second signal yet
    h.clock.advance(1s);
    step = h.syncer->terminate_pod(p);
    auto stops = h.containers.stops();
    REQUIRE(stops.size() == 3);
    CHECK(stops[2].name == "a");
    CHECK(stops[2].signal == SIGKILL);
    CHECK(h.events.reasons() == Strings{"Killing", "Killing"});  // no second event for the SIGKILL
  }
  SECTION("deletionGracePeriodSeconds wins over the spec") {
    spec.metadata.deletion_grace_period_seconds = 2;
    h.containers.ignore_signals(SyncerHarness::id_of(*p, "b"));
    auto step = h.syncer->terminate_pod(share(spec));
    CHECK(step->retry_after == 2s);
  }
  SECTION("a failed signal is reported after the others were signalled, and a retry sends it again") {
    h.containers.faults.fail("stop", unavailable("containerd: connection refused"));
    auto st = h.syncer->terminate_pod(p);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message == "containerd: connection refused");
    CHECK(h.containers.stops().size() == 2);
    h.events.clear();
    REQUIRE(h.syncer->terminate_pod(p).ok());
    CHECK(h.containers.stops().size() == 3);  // only the one still running
    CHECK(h.events.reasons().empty());         // its Killing event came with the first try
  }
}

TEST_CASE("cleanup_pod removes containers, then network, sandbox, volumes, cgroup, files and status") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));
  h.sync(p);
  const auto pod_dir = h.config.paths.pod_dir("uid-web");
  const auto log_dir = h.config.paths.log_dir(*p);
  REQUIRE(std::filesystem::exists(pod_dir));
  REQUIRE(std::filesystem::exists(log_dir));
  terminate_until_done(h, p);
  h.log.clear();

  SECTION("in order") {
    REQUIRE(h.syncer->cleanup_pod(p).ok());
    CHECK(h.log.only(kChanges) == Strings{"containers.remove app", "network.teardown uid-web", "sandbox.remove uid-web",
                                          "volumes.teardown uid-web", "cgroup.remove uid-web", "status.remove uid-web"});
    REQUIRE(h.network.teardown_sandboxes.size() == 1);
    CHECK(h.network.teardown_sandboxes[0].netns_path == "/fake/pods/uid-web/ns/net");
    CHECK_FALSE(std::filesystem::exists(pod_dir));
    CHECK_FALSE(std::filesystem::exists(log_dir));
    CHECK_FALSE(h.sandboxes.has("uid-web"));
    CHECK_FALSE(h.network.has("uid-web"));
    CHECK_FALSE(h.status.last("uid-web"));

    // The pod is forgotten: the same uid again starts from scratch.
    h.log.clear();
    h.sync(p);
    CHECK(h.log.only({"sandbox.ensure", "containers.create"}) == Strings{"sandbox.ensure uid-web", "containers.create app"});
  }
  SECTION("a failed step stops there; the retry finishes") {
    h.network.faults.fail("teardown", internal("delete veth: device busy"));
    REQUIRE_FALSE(h.syncer->cleanup_pod(p).ok());
    CHECK(h.sandboxes.has("uid-web"));
    CHECK(std::filesystem::exists(pod_dir));
    REQUIRE(h.syncer->cleanup_pod(p).ok());
    CHECK_FALSE(h.sandboxes.has("uid-web"));
    CHECK_FALSE(std::filesystem::exists(pod_dir));
    REQUIRE(h.network.teardown_sandboxes.size() == 2);
    CHECK(h.network.teardown_sandboxes[1].netns_path == "/fake/pods/uid-web/ns/net");
  }
  SECTION("after an agent restart the sandbox is found on the node") {
    h.restart_agent();
    REQUIRE(h.syncer->cleanup_pod(p).ok());
    REQUIRE(h.network.teardown_sandboxes.size() == 1);
    CHECK(h.network.teardown_sandboxes[0].netns_path == "/fake/pods/uid-web/ns/net");
    CHECK_FALSE(h.sandboxes.has("uid-web"));
  }
}

TEST_CASE("after an agent restart the running sandbox and containers are adopted, not re-created") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));
  h.sync(p);
  const auto image_id = h.images.image_status("busybox:1.36")->id;
  h.restart_agent();
  h.log.clear();
  h.events.clear();

  CHECK_FALSE(h.sync(p).requeue_after);
  // Both idempotent: the cgroup gives the parent back, the volumes are refreshed in place.
  CHECK(h.log.only(kChanges) == Strings{"cgroup.ensure uid-web", "volumes.setup uid-web"});
  CHECK(h.events.events().empty());
  auto s = h.published(*p);
  CHECK(s.sandbox_ready);
  CHECK(s.pod_ips == Strings{"10.244.0.2"});
  REQUIRE(s.latest("app"));
  CHECK(s.latest("app")->attempt == 0);
  CHECK(s.latest("app")->state.state == runtime::ContainerStateKind::kRunning);
  CHECK(s.latest("app")->image_id == image_id);

  // A restart after adoption joins the adopted sandbox and cgroup.
  h.containers.exit_container(SyncerHarness::id_of(*p, "app", 0), 1, h.clock.now());
  h.sync(p);
  auto created = h.containers.created();
  REQUIRE(created.size() == 2);
  CHECK(label(created[1], labels::kAttempt) == "1");
  CHECK(created[1].namespaces.network == "/fake/pods/uid-web/ns/net");
  CHECK(created[1].resources.cgroups_path == fakes::FakePodCgroups::parent_of("uid-web") + "/" + created[1].id);
  CHECK(h.sandboxes.configs().size() == 1);  // still the first run's
}

TEST_CASE("admission: a nodeSelector the node does not match fails the pod, and nothing of it runs") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app"});
  spec.spec.node_selector = {{"disktype", "ssd"}};

  SECTION("rejected") {
    auto p = share(spec);
    CHECK_FALSE(h.sync(p).requeue_after);
    auto s = h.published(*p);
    CHECK(s.pod_failure_reason == "NodeAffinity");
    CHECK_THAT(s.pod_failure_message, StartsWith("Pod was rejected: "));
    CHECK(s.pod_failure_message ==
          "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
    REQUIRE(h.events.find("NodeAffinity"));
    CHECK(h.events.find("NodeAffinity")->type == "Warning");
    CHECK(h.log.only(kChanges).empty());
    CHECK(h.log.only({"sandbox.find"}).empty());

    // It stays rejected.
    h.sync(p);
    CHECK(h.published(*p).pod_failure_reason == "NodeAffinity");
    CHECK(h.log.only(kChanges).empty());
    CHECK(h.events.reasons() == Strings{"NodeAffinity"});
  }
  SECTION("admitted when the node has the label") {
    h.config.node_labels["disktype"] = "ssd";
    h.restart_agent();
    auto p = share(spec);
    h.sync(p);
    CHECK_FALSE(h.published(*p).pod_failure_reason);
    CHECK(h.containers.created().size() == 1);
  }
}

TEST_CASE("Service environment variables reach the started container") {
  SyncerHarness h;
  h.services.add(service("redis", "10.96.0.11", 6379));
  auto spec = runnable_pod("web", {"app"});

  SECTION("with service links (the default)") {
    h.sync(share(spec));
    auto created = h.containers.created();
    REQUIRE(created.size() == 1);
    CHECK(has_env(created[0], "REDIS_SERVICE_HOST=10.96.0.11"));
    CHECK(has_env(created[0], "REDIS_SERVICE_PORT=6379"));
  }
  SECTION("enableServiceLinks: false") {
    spec.spec.enable_service_links = false;
    h.sync(share(spec));
    auto created = h.containers.created();
    REQUIRE(created.size() == 1);
    CHECK_FALSE(has_env(created[0], "REDIS_SERVICE_HOST=10.96.0.11"));
  }
}

TEST_CASE("a container's volumeDevices reach its runtime config as devices") {
  SyncerHarness h;
  auto p = share(runnable_pod("web", {"app"}));
  runtime::Device d;
  d.container_path = "/dev/xvda";
  d.host_path = "/dev/loop3";
  d.major = 7;
  d.minor = 3;
  h.volumes.set_devices("app", {d});
  h.sync(p);
  const auto created = h.containers.created();  // a copy: devices must not outlive it
  REQUIRE(created.size() == 1);
  const auto& devices = created[0].devices;
  REQUIRE(devices.size() == 1);
  CHECK(devices[0].container_path == "/dev/xvda");
  CHECK(devices[0].minor == 3);
}

TEST_CASE("an emptyDir over its sizeLimit evicts the pod, checked every 10 s as kubelet's eviction manager") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app"});
  kube::Volume cache;
  cache.name = "cache";
  cache.empty_dir = kube::EmptyDirVolumeSource{};
  cache.empty_dir->size_limit = kube::parse_quantity("1Mi").value();
  spec.spec.volumes.push_back(cache);
  auto p = share(spec);
  h.sync(p);
  REQUIRE(h.published(*p).latest("app"));
  h.sync(p);  // measured: within the limit

  const std::string message = "Usage of EmptyDir volume \"cache\" exceeds the limit \"1Mi\". ";
  h.volumes.set_over_limit(message);
  auto again = h.sync(p);
  CHECK(h.containers.stops().empty());  // measured at most every 10 s
  REQUIRE(again.requeue_after);
  CHECK(*again.requeue_after <= 10s);

  h.clock.advance(10s);
  h.events.clear();
  h.sync(p);
  auto s = h.published(*p);
  CHECK(s.pod_failure_reason == "Evicted");
  CHECK(s.pod_failure_message == message);
  REQUIRE(h.events.find("Evicted"));
  CHECK(h.events.find("Evicted")->type == "Warning");
  REQUIRE(h.containers.stops().size() == 1);
  CHECK(h.containers.stops()[0].name == "app");
}
