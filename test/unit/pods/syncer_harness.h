// A real PodSyncer wired to fakes of every edge, one shared call log and a manual clock, for
// pod_syncer_test.cc. Pod files and logs go to a temporary directory.
#pragma once

#include <memory>
#include <string>

#include "agent/pods/container_ids.h"
#include "agent/pods/pod_syncer.h"
#include "util/clock.h"
#include "pod_test_util.h"
#include "test/fakes/call_log.h"
#include "test/fakes/fake_pod_ports.h"
#include "test/fakes/fake_probe_hooks.h"
#include "test/fakes/fake_runtime.h"
#include "test/fakes/fake_sandbox_manager.h"
#include "test/fakes/fake_service_lister.h"
#include "test/fakes/fake_volume_manager.h"
#include "test/support/temp_dir.h"

namespace nodeagent::testing {

struct SyncerHarness {
  TempDir dir{"pod-syncer-test"};
  ManualClock clock;
  fakes::CallLog log;
  fakes::FakeImageService images;
  fakes::FakeContainerService containers;
  fakes::FakeSandboxManager sandboxes;
  fakes::FakeVolumeManager volumes;
  fakes::FakePodNetworkPort network;
  fakes::FakePodCgroups cgroups;
  fakes::FakePodStatus status;
  fakes::FakeEvents events;
  fakes::FakeServiceLister services;
  fakes::FakeProbes probes;
  fakes::FakeHooks hooks;
  pods::SyncerConfig config;
  std::unique_ptr<pods::PodSyncer> syncer;

  SyncerHarness() {
    images.log = &log;
    containers.log = &log;
    sandboxes.log = &log;
    volumes.log = &log;
    network.log = &log;
    cgroups.log = &log;
    status.log = &log;
    events.log = &log;
    probes.log = &log;
    hooks.log = &log;
    config.node_name = "node-1";
    config.node_labels = {{"kubernetes.io/hostname", "node-1"}, {"kubernetes.io/os", "linux"}};
    config.paths = {dir.path() + "/root", dir.path() + "/logs"};
    config.node_facts.hostname = "node-1";
    config.node_facts.dns.cluster_dns = {"10.96.0.10"};  // else every pod gets a DNSConfigForming event
    config.host_ip = "192.168.50.1";
    restart_agent();
  }

  // A fresh syncer on the same fakes: what an agent restart sees (containerd and the node keep
  // their state, the syncer's memory and back-off are gone).
  void restart_agent() {
    pods::SyncerDeps deps;
    deps.images = &images;
    deps.containers = &containers;
    deps.sandboxes = &sandboxes;
    deps.volumes = &volumes;
    deps.network = &network;
    deps.cgroups = &cgroups;
    deps.status = &status;
    deps.events = &events;
    deps.services = &services;
    deps.probes = &probes;
    deps.hooks = &hooks;
    deps.clock = &clock;
    syncer.reset();
    syncer = std::make_unique<pods::PodSyncer>(config, deps);
  }

  pods::SyncResult sync(const pods::PodPtr& pod) { return syncer->sync_pod(pod); }

  // The containerd id the syncer gives an attempt of a container.
  static std::string id_of(const kube::Pod& pod, const std::string& container, uint32_t attempt = 0) {
    return pods::container_id_for(pod.metadata.uid, container, attempt);
  }
  // The last published state of `pod`; an empty state if none was published.
  pods::PodRuntimeState published(const kube::Pod& pod) const {
    return status.last(pod.metadata.uid).value_or(pods::PodRuntimeState{});
  }
};

// pod() whose containers have a command: the fake images have no ENTRYPOINT or CMD.
inline kube::Pod runnable_pod(const std::string& name, std::vector<std::string> app, std::vector<std::string> init = {}) {
  auto p = pod(name, std::move(app), std::move(init));
  for (auto* list : {&p.spec.init_containers, &p.spec.containers})
    for (auto& c : *list) c.command = {"sleep", "infinity"};
  return p;
}

inline pods::PodPtr share(kube::Pod pod) { return std::make_shared<const kube::Pod>(std::move(pod)); }

}  // namespace nodeagent::testing
