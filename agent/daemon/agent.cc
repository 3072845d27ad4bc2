#include "agent/daemon/agent.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "agent/api/server.h"
#include "agent/daemon/adapters.h"
#include "agent/daemon/probe_adapter.h"
#include "agent/daemon/backend.h"
#include "agent/daemon/cluster_join.h"
#include "agent/daemon/hook_adapter.h"
#include "agent/daemon/node_servers.h"
#include "agent/events/recorder.h"
#include "agent/pleg/pleg.h"
#include "agent/pods/orphans.h"
#include "agent/pods/pod_manager.h"
#include "agent/pods/pod_runtime_state.h"
#include "agent/pods/pod_syncer.h"
#include "agent/pods/pod_workers.h"
#include "agent/services/manifest_adapter.h"
#include "agent/services/service_proxy.h"
#include "agent/sources/manifest_dir.h"
#include "agent/status/status_manager.h"
#include "kube/node_labels.h"
#include "kube/object_store.h"
#include "kube/pod_references.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/pod_state_dir.h"
#include "util/version.h"
#include "network/iptables/kernel_table.h"
#include "network/nat/iptables_pod_nat.h"
#include "network/netlink/node_address.h"
#include "network/pod/pod_network_impl.h"
#include "runtime/cgroups/cgroupfs_driver.h"
#include "runtime/containerd/connection.h"
#include "runtime/containerd/container_service.h"
#include "runtime/containerd/event_stream.h"
#include "runtime/containerd/stdio.h"
#include "runtime/images/containerd_image_service.h"
#include "runtime/instrumented_container_service.h"
#include "runtime/oci/oom_score.h"
#include "runtime/sandbox/sandbox_manager_impl.h"
#include "volumes/manager/volume_manager.h"

namespace nodeagent::daemon {

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("nodeagent") : p.string();
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof(buf) - 1);
  return buf;
}

// "containerd://<version>" for the Node's nodeInfo, from containerd's Version RPC.
std::string containerd_version(runtime::ctd::Connection& connection) {
  containerd::services::version::v1::VersionResponse resp;
  auto ctx = connection.context(std::chrono::seconds(5));
  if (!connection.version().Version(ctx.get(), {}, &resp).ok()) return "containerd://unknown";
  return "containerd://" + resp.version();
}

int64_t node_memory_bytes() {
  return static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<int64_t>(::sysconf(_SC_PAGE_SIZE));
}

}  // namespace

// Everything the agent owns, in construction order (destroyed in reverse).
struct Agent::Parts {
  SystemClock clock;
  // First in, last out: the recorder and the status manager call into it until they are gone.
  std::unique_ptr<ClusterJoin> join;
  std::shared_ptr<runtime::ctd::Connection> connection;
  std::unique_ptr<runtime::ContainerService> containers;
  std::unique_ptr<runtime::ImageService> images;
  std::unique_ptr<runtime::EventStream> events_stream;
  std::unique_ptr<runtime::SandboxManager> sandboxes;
  std::shared_ptr<runtime::cgroups::CgroupManager> cgroups;  // shared: also the containers' OomSource
  std::unique_ptr<network::iptables::Iptables> nat_iptables;  // hostPort DNAT + pod masquerade
  std::unique_ptr<network::PodNetwork> network;
  std::unique_ptr<volumes::VolumeManager> volumes;
  std::unique_ptr<status::StatusManager> statuses;
  std::unique_ptr<events::Recorder> recorder;
  std::unique_ptr<pods::PodNetworkPort> network_port;
  std::unique_ptr<pods::PodCgroupPort> cgroup_port;
  std::unique_ptr<StatusAdapter> status_port;
  std::unique_ptr<EventAdapter> event_port;
  std::unique_ptr<HookAdapter> hook_port;
  ServiceStore services;
  kube::InMemoryObjectStore objects;  // ConfigMaps, Secrets, PVs, PVCs of the manifest directory
  const kube::ObjectSource* object_source = &objects;  // what volumes and env read (files, then the API)
  std::atomic<bool> started{false};
  // Probes: before the syncer that calls them; stopped after the workers.
  std::unique_ptr<probes::FileResultStore> probe_store;
  std::unique_ptr<probes::Prober> prober;
  std::unique_ptr<ProbeAdapter> probe_port;
  std::unique_ptr<pods::PodSyncer> syncer;
  std::unique_ptr<pods::PodWorkers> workers;
  std::unique_ptr<WorkerWaker> waker;
  std::unique_ptr<pleg::Pleg> pleg;
  std::unique_ptr<pods::PodManager> manager;
  std::unique_ptr<DaemonBackend> backend;
  std::unique_ptr<services::ServiceProxy> proxy;
  std::unique_ptr<services::ManifestAdapter> proxy_manifests;  // manifest snapshots -> proxy upserts
  std::unique_ptr<api::ApiServer> api;
  std::unique_ptr<nodeapi::ProxyApi> proxy_api;  // kube-proxy's healthz, metrics, healthCheckNodePorts
  std::unique_ptr<nodeapi::NodeApi> node_api;    // kubelet's :10250 and healthz
  std::unique_ptr<sources::ManifestDirSource> manifests;
  pods::PodPaths paths;
  std::string node_name;

  // Posts the pods whose status changed to the service proxy (a pod gone, or without a status
  // any more, is deleted); the proxy recomputes endpoints on its own thread.
  void post_pods_to_proxy(const std::vector<std::string>& uids) const {
    std::set<std::string> pending(uids.begin(), uids.end());
    for (const auto& pod : manager->pods()) {
      if (!pending.erase(pod->metadata.uid)) continue;
      if (statuses->get_pod_status(pod->metadata.uid)) proxy->upsert_pod(backend->with_status(*pod));
      else proxy->delete_pod(pod->metadata.uid);
    }
    for (const auto& uid : pending) proxy->delete_pod(uid);
  }
  // Syncs at once the pods that show a changed ConfigMap or Secret (volumes, env), so that
  // their volumes are rewritten now, not at the next resync.
  void wake_pods_referencing(const std::vector<kube::ObjectChange>& changes) const {
    if (changes.empty()) return;
    for (const auto& pod : manager->pods())
      for (const auto& c : changes)
        if (kube::pod_references(*pod, c.kind, c.namespace_, c.name)) {
          waker->wake(pod->metadata.uid);
          break;
        }
  }
  void post_all_pods_to_proxy() const {
    for (const auto& pod : manager->pods()) proxy->upsert_pod(backend->with_status(*pod));
  }
  // Orphans are only known once every pod source has said what it wants: a pod of the API
  // server must not look like an orphan because the manifest directory was read first.
  int sources_pending = 0;
  std::mutex sources_mu;
  bool source_ready() {
    std::lock_guard lock(sources_mu);
    return --sources_pending == 0;
  }
};

Agent::Agent(config::AgentConfig config) : config_(std::move(config)) {}

Agent::~Agent() { stop(); }

Status Agent::start() {
  auto logger = log::get("agent");
  auto p = std::make_unique<Parts>();
  const auto& c = config_;
  p->node_name = config::node_name(c);
  p->paths = pods::PodPaths{c.root_dir, c.pod_log_dir};
  std::error_code ec;
  for (const auto& dir : {c.root_dir, PodStateDir(c.root_dir).pods_dir(), c.pod_log_dir}) {
    fs::create_directories(dir, ec);
    if (ec) return internal("cannot create " + dir + ": " + ec.message());
  }

  // The kubeconfig before anything touches the node: a bad one is a usage error (exit 2).
  if (!c.kubeconfig.empty()) {
    auto join = ClusterJoin::create(c, p->node_name, p->clock);
    if (!join.ok()) return join.error();
    p->join = std::move(join).value();
  }

  events::RecorderOptions ro;
  ro.node_name = p->node_name;
  p->recorder = std::make_unique<events::Recorder>(ro);

  // Cgroups first: the container service asks the cgroup manager for OOM kills.
  if (c.cgroup_driver == "systemd")
    return invalid("--cgroup-driver=systemd: not available yet on this build; use cgroupfs");
  {
    std::string prefix = c.cgroup_root == "/" ? "" : c.cgroup_root;
    while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
    auto cg = runtime::cgroups::make_cgroupfs_manager(prefix);
    if (!cg.ok()) return cg.error().wrap("cgroups");
    p->cgroups = std::move(cg).value();
    NA_RETURN_IF_ERROR(p->cgroups->ensure_qos_parents());
  }

  // Runtime.
  runtime::ctd::ConnectionOptions conn;
  conn.address = c.container_runtime_endpoint;
  conn.ns = c.containerd_namespace;
  p->connection = runtime::ctd::Connection::create(conn);
  runtime::ctd::ContainerServiceOptions cso;
  cso.fifo_dir = c.root_dir + "/exec";
  cso.oom_source = p->cgroups;
  {
    // Absolute: the shim that starts the logger does not run in the agent's directory.
    auto logger_path = fs::absolute(c.logger_path.empty() ? runtime::ctd::default_logger_path() : c.logger_path, ec).string();
    if (ec || ::access(logger_path.c_str(), X_OK) != 0)
      return invalid("--logger-path: " + logger_path + " is not an executable nodeagent-logger");
    cso.logger_path = logger_path;
  }
  p->containers = std::make_unique<runtime::InstrumentedContainerService>(
      std::make_unique<runtime::ctd::ContainerdContainerService>(p->connection, cso));
  p->images = runtime::images::make_containerd_image_service(p->connection);
  p->events_stream = std::make_unique<runtime::ctd::ContainerdEventStream>(p->connection);
  // Fail early and clearly when containerd is not there.
  if (auto probe = p->containers->list_containers({{pods::labels::kManagedBy, p->node_name}}); !probe.ok())
    return probe.error().wrap("containerd at " + c.container_runtime_endpoint);

  p->sandboxes = runtime::make_sandbox_manager(c.root_dir, {self_exe(), "pause"});

  // Network. Without --node-ip, the node's address is found as kubelet does (status.hostIP,
  // hostPort DNAT); only pod networking cannot do without one.
  NA_ASSIGN_OR_RETURN(const std::string node_ip,
                      network::resolve_node_ip(c.node_ip, {c.network_bridge},
                                               c.network_enabled && !c.pod_cidr.empty() && !p->join));
  std::string pod_cidr = c.pod_cidr;
  // The node's capacity and allocatable: what the Node reports when joined, and what pods are
  // admitted against in both modes. Bad flags (--kube-reserved, ...) are kInvalid.
  cluster::NodeFactsConfig facts_config;
  facts_config.node_name = p->node_name;
  facts_config.node_ip = node_ip;
  facts_config.node_labels = c.node_labels;
  facts_config.register_with_taints = c.register_with_taints;
  facts_config.kube_reserved = c.kube_reserved;
  facts_config.system_reserved = c.system_reserved;
  facts_config.max_pods = c.max_pods;
  facts_config.root_dir = c.root_dir;
  facts_config.container_runtime_version = containerd_version(*p->connection);
  NA_ASSIGN_OR_RETURN(auto node_facts, cluster::gather_node_facts(facts_config));
  node_facts.kubelet_port = c.port == 0 ? 10250 : c.port;  // daemonEndpoints: where the API server reaches the node API
  const pods::NodeAllocatable allocatable{c.max_pods, cluster::node_allocatable_amounts(node_facts)};
  if (p->join) {
    // Joined: register the Node now (its status and Lease run on their own threads), and take
    // the pod CIDR the controller-manager allocates unless --pod-cidr says otherwise.
    auto* images = p->images.get();
    // kubelet's runtime check: a containerd that does not answer makes the node NotReady.
    auto* containers = p->containers.get();
    auto health = [containers, node = p->node_name] {
      cluster::NodeHealth h;
      if (auto probe = containers->list_containers({{pods::labels::kManagedBy, node}}); !probe.ok())
        h.runtime_errors.push_back("container runtime is down: " + probe.error().message);
      return h;
    };
    p->join->start_node(std::move(node_facts), health, [images] { return images->list_images(); }, *p->recorder,
                        c.register_node, c.node_status_update_frequency_seconds);
    if (pod_cidr.empty() && c.network_enabled) {
      auto allocated = p->join->pod_cidr(c.root_dir, std::chrono::seconds(60));
      if (allocated.ok()) pod_cidr = *allocated;
      else logger->warn("no pod CIDR yet ({}): pods get no IPs until the agent restarts with one", allocated.error().message);
    }
  }
  if (c.network_enabled && !pod_cidr.empty()) {
    network::NodeNetworkConfig nc;
    nc.bridge_name = c.network_bridge;
    nc.pod_cidr = pod_cidr;
    nc.node_ip = node_ip;
    nc.mtu = c.network_mtu;
    for (const auto& r : c.node_routes) nc.routes.push_back(network::PodCidrRoute{r.pod_cidr, r.via});
    nc.cluster_cidr = c.cluster_cidr;
    nc.state_dir = c.root_dir;
    // hostPort DNAT and masquerade need iptables; with --no-proxy the node's iptables are left
    // alone entirely, and pods with hostPorts are refused with a clear error.
    std::unique_ptr<network::PodNat> nat;
    if (c.proxy_enabled) {
      p->nat_iptables = std::make_unique<network::iptables::KernelIptables>();
      auto created = network::IptablesPodNat::create(*p->nat_iptables, "");
      if (!created.ok()) return created.error().wrap("pod network iptables");
      nat = std::move(created).value();
    }
    auto net = network::start_node_network(nc, std::move(nat));
    if (!net.ok()) return net.error().wrap("pod network");
    p->network = std::move(net).value();
    p->network_port = std::make_unique<NetworkAdapter>(*p->network);
    if (p->join) {
      // The other nodes' pod CIDRs, from their Node objects, instead of --node-routes.
      auto* network = p->network.get();
      p->join->start_routes([network](const std::vector<network::PodCidrRoute>& routes) {
        if (auto st = network->set_routes(routes); !st.ok()) log::get("agent")->warn("routes to other nodes: {}", st.error().message);
      });
    }
  } else {
    p->network_port = std::make_unique<LoopbackOnlyNetwork>(node_ip);
  }
  {
    if (p->join) {
      auto* parts = p.get();
      p->object_source = p->join->objects(p->objects, [parts](const std::vector<kube::ObjectChange>& changed) {
        if (parts->started) parts->wake_pods_referencing(changed);
      });
    }
    auto volumes = std::make_unique<volumes::LocalVolumeManager>(c.root_dir, p->object_source,
                                                                 p->join ? p->join->tokens() : nullptr, !p->join);
    // kubelet's setupDataDirs: mountPropagation needs the root dir to be a shared mount.
    if (auto st = volumes->prepare_root_dir(); !st.ok()) logger->warn("root dir: {}", st.error().message);
    p->volumes = std::move(volumes);
  }

  // Status and events.
  p->statuses = std::make_unique<status::StatusManager>(c.root_dir);
  if (auto loaded = p->statuses->load_all(); loaded.ok()) {
    for (const auto& e : loaded->errors) logger->warn("status: {}", e);
  }
  p->cgroup_port = std::make_unique<CgroupAdapter>(*p->cgroups);
  p->status_port = std::make_unique<StatusAdapter>(*p->statuses, *p->recorder, p->clock);
  p->event_port = std::make_unique<EventAdapter>(*p->recorder);

  // Pods.
  pods::SyncerConfig sc;
  sc.node_name = p->node_name;
  {
    struct utsname host {};
    ::uname(&host);
    auto extra = kube::parse_node_labels(c.node_labels);
    if (!extra.ok()) return extra.error();
    sc.node_labels = kube::node_labels(p->node_name, host.machine, *extra);
  }
  sc.paths = p->paths;
  sc.cluster_domain = c.cluster_domain;
  sc.node_facts.hostname = host_name();
  sc.node_facts.hosts_content = read_text("/etc/hosts");
  sc.node_facts.dns.cluster_dns = c.cluster_dns;
  sc.node_facts.dns.cluster_domain = c.cluster_domain;
  sc.node_facts.dns.host_resolv_conf = read_text(c.resolv_conf);
  sc.host_ip = node_ip;
  sc.node_netns_path = "/proc/" + std::to_string(::getpid()) + "/ns/net";
  sc.log_max_size_bytes = int64_t{c.container_log_max_size_mib} * 1024 * 1024;
  sc.log_max_files = c.container_log_max_files;
  sc.node_cpu_millis = int64_t{::sysconf(_SC_NPROCESSORS_ONLN)} * 1000;
  sc.node_memory_bytes = node_memory_bytes();
  sc.min_oom_score_adj = runtime::oci::this_process_oom_score_adj_floor();
  if (sc.min_oom_score_adj > runtime::oci::kMinOomScoreAdj)
    logger->warn("no CAP_SYS_RESOURCE: containers' oom_score_adj is kept at or above {} (the agent's own), so "
                 "Guaranteed pods get {} instead of -997, as containerd's restrict_oom_score_adj does",
                 sc.min_oom_score_adj, std::max<int64_t>(sc.min_oom_score_adj, -997));
  {
    PodStateDir dirs(c.root_dir);
    p->probe_store = std::make_unique<probes::FileResultStore>([dirs](const std::string& uid) { return probe_results_file(dirs, uid); });
    probes::Prober::Options po;
    po.store = p->probe_store.get();
    auto* parts = p.get();
    po.on_event = [parts](const probes::ProbeManager::Event& e) {
      parts->recorder->record(events::container_reference(*e.pod, e.container), e.type, e.reason, e.message);
    };
    po.on_wake = [parts](const std::string& uid) {
      if (parts->waker) parts->waker->wake(uid);
    };
    p->prober = std::make_unique<probes::Prober>(p->clock, p->containers.get(), po);
    p->probe_port = std::make_unique<ProbeAdapter>(*p->prober, c.root_dir);
  }
  pods::SyncerDeps deps;
  deps.probes = p->probe_port.get();
  deps.images = p->images.get();
  deps.containers = p->containers.get();
  deps.sandboxes = p->sandboxes.get();
  deps.volumes = p->volumes.get();
  deps.objects = p->object_source;
  deps.network = p->network_port.get();
  deps.cgroups = p->cgroup_port.get();
  deps.status = p->status_port.get();
  deps.events = p->event_port.get();
  p->hook_port = std::make_unique<HookAdapter>(*p->containers, *p->sandboxes, p->network_port.get(), p->event_port.get());
  deps.hooks = p->hook_port.get();
  deps.services = &p->services;
  deps.clock = &p->clock;
  p->syncer = std::make_unique<pods::PodSyncer>(sc, deps);
  p->workers = std::make_unique<pods::PodWorkers>(*p->syncer, c.pod_workers);
  p->waker = std::make_unique<WorkerWaker>(*p->workers);
  // A postStart hook ends once its pod is being deleted (kubelet: the pod worker's context).
  p->hook_port->set_pod_terminating([workers = p->workers.get()](const std::string& uid) {
    return workers->state(uid) != pods::WorkerState::kSyncing;
  });
  p->prober->start();
  auto* recorder = p->recorder.get();
  auto* status_port = p->status_port.get();
  p->manager = std::make_unique<pods::PodManager>(
      *p->workers, allocatable, [status_port](const pods::PodPtr& pod, const std::string& reason, const std::string& msg) {
        status_port->reject(*pod, reason, msg);
      });
  auto* statuses = p->statuses.get();
  p->manager->set_finished([statuses](const std::string& uid) {
    auto st = statuses->get_pod_status(uid);
    return st && (st->phase == "Succeeded" || st->phase == "Failed");
  });

  // Local API.
  api::AgentBackend::Facts facts{version(), p->node_name, c.containerd_namespace, c.root_dir};
  p->backend = std::make_unique<DaemonBackend>(*p->manager, *p->statuses, *p->recorder, *p->containers, *p->images,
                                               p->paths, facts);
  auto* probe_port = p->probe_port.get();
  p->backend->set_probe_view([probe_port](const std::string& uid) { return probe_port->snapshot(uid); });
  // Service proxy: Services from the manifest dir, endpoints from this node's pods.
  if (c.proxy_enabled) {
    services::ServiceProxyConfig pc{p->node_name, c.cluster_cidr, c.nodeport_addresses, c.iptables_min_sync_period_ms,
                                    node_ip, nullptr};
    p->proxy_api = start_proxy_servers(c);
    auto* proxy_api = p->proxy_api.get();
    pc.on_synced = [proxy_api](const network::proxy::ProxyState& s, bool ok) { proxy_api->on_synced(s, ok); };
    p->proxy = std::make_unique<services::ServiceProxy>(pc, [recorder](const std::string& object, const std::string& message) {
      recorder->record_manifest("", object, events::kWarning, "FailedToApplyService", object + ": " + message);
    });
    NA_RETURN_IF_ERROR(p->proxy->start());
    p->proxy_manifests = std::make_unique<services::ManifestAdapter>(*p->proxy);
    auto* proxy = p->proxy.get();
    p->backend->set_proxy_views({[proxy]() -> Result<nlohmann::json> { return proxy->services_json(); },
                                 [proxy](const std::string& s, const std::string& port) { return proxy->trace(s, port); }});
    auto* parts = p.get();
    // The notifier thread must return quickly: this only posts the changed pods.
    p->statuses->add_listener([parts](const std::vector<std::string>& uids) { parts->post_pods_to_proxy(uids); });
  }
  api::ApiServerOptions ao;
  ao.socket_path = c.api_socket;
  p->api = std::make_unique<api::ApiServer>(*p->backend, ao);
  NA_RETURN_IF_ERROR(p->api->start());
  NA_ASSIGN_OR_RETURN(p->node_api, start_node_api(c, {p->backend.get(), p->join ? &p->join->client() : nullptr,
                                                      p->cgroups.get(), p->statuses.get(), p->node_name, node_ip, {}}));

  parts_ = std::move(p);
  auto* parts = parts_.get();

  // Container events wake their pod; the relist and the --sync-frequency resync are the safety net.
  pleg::PlegOptions po;
  po.selector = {{pods::labels::kManagedBy, parts->node_name}};
  po.pod_uid_label = pods::labels::kPodUid;
  po.resync_period = std::chrono::seconds(c.sync_frequency_seconds);
  parts->pleg = std::make_unique<pleg::Pleg>(*parts->containers, *parts->waker, po);
  parts->pleg->start();
  auto* pleg = parts->pleg.get();
  parts->events_stream->start([pleg](const runtime::ContainerEvent& e) { pleg->on_container_event(e.container_id); });

  // Pod sources. When the last one has delivered its first set, the proxy starts syncing and
  // the orphans are cleaned up.
  parts->sources_pending = (c.pod_manifest_path.empty() ? 0 : 1) + (parts->join ? 2 : 0);
  auto all_sources_ready = [this, parts] {
    if (!parts->source_ready()) return;
    if (parts->proxy) parts->proxy->start_syncing();
    reconcile_orphans();
  };
  if (!c.pod_manifest_path.empty()) {
    bool first = true;
    parts->manifests = std::make_unique<sources::ManifestDirSource>(
        c.pod_manifest_path, parts->node_name, std::chrono::seconds(c.file_check_frequency_seconds),
        [parts, first, all_sources_ready](const sources::ManifestSnapshot& snap) mutable {
          // Services first: a container started for a new pod gets their variables.
          parts->services.set("file", snap.services);
          auto changed = parts->objects.replace_all(snap.objects);
          parts->manager->set_source_pods("file", snap.pods);
          parts->wake_pods_referencing(changed);
          if (parts->proxy) {
            // Pods first, with the statuses kept on disk: after a restart their endpoints are
            // known (and ready) before the Services that select them are synced.
            if (first) parts->post_all_pods_to_proxy();
            parts->proxy_manifests->apply(snap.services, snap.endpoint_slices);
          }
          if (first) {
            first = false;
            all_sources_ready();
          }
        },
        [parts](const sources::ManifestProblem& problem) {
          auto reason = problem.warning ? "ManifestWarning" : "FailedToParseManifest";
          auto msg = problem.object.empty() ? problem.message : problem.object + ": " + problem.message;
          parts->recorder->record_manifest(problem.file, "", events::kWarning, reason, msg);
          log::get("sources")->warn("{}: {}", problem.file, msg);
        },
        c.root_dir);
    parts->manifests->start();
  }
  if (parts->join) {
    // Services (for the proxy and the containers' variables) before pods, as kubelet waits for
    // the Service informer before it starts containers.
    parts->join->start_services(
        parts->proxy.get(), [parts](std::vector<kube::Service> services) { parts->services.set("api", std::move(services)); },
        all_sources_ready);
    parts->join->start_pods(*parts->manager, *parts->statuses, *parts->recorder, [parts, all_sources_ready] {
      if (parts->proxy) parts->post_all_pods_to_proxy();
      all_sources_ready();
    });
  }
  if (c.pod_manifest_path.empty() && !parts->join) {
    if (parts->proxy) parts->proxy->start_syncing();
    reconcile_orphans();
  }
  parts->started = true;
  logger->info("nodeagent started node={} containerd={} namespace={} api={}", parts->node_name,
               c.container_runtime_endpoint, c.containerd_namespace, c.api_socket);
  return ok_status();
}

// After a restart: pods whose manifests went away while the agent was down still have
// containers, namespaces, IPs and cgroups. Terminate and clean those up; adopt the rest.
void Agent::reconcile_orphans() {
  auto logger = log::get("agent");
  auto* p = parts_.get();
  std::set<std::string> desired;
  for (const auto& pod : p->manager->pods()) desired.insert(pod->metadata.uid);
  std::vector<runtime::ContainerState> containers;
  if (auto found = p->containers->list_containers({{pods::labels::kManagedBy, p->node_name}}); found.ok())
    containers = std::move(found).value();
  // Every pod directory counts, not only those with a sandbox: an agent killed half-way through a
  // cleanup (sandbox gone, volumes still mounted) leaves only the directory.
  std::vector<std::string> pod_dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(p->paths.state().pods_dir(), ec))
    if (e.is_directory(ec) && valid_pod_uid(e.path().filename().string())) pod_dirs.push_back(e.path().filename().string());
  for (const auto& pod : pods::orphaned_pods(containers, pod_dirs, desired)) {
    const auto& uid = pod.metadata.uid;
    logger->info("cleaning up pod uid={} name={}: no longer desired", uid, pod.metadata.name);
    p->workers->terminate(std::make_shared<const kube::Pod>(pod));
  }
  if (p->network) {
    desired.clear();
    for (const auto& pod : p->manager->pods()) desired.insert(pod->metadata.uid);
    if (auto st = p->network->garbage_collect(desired); !st.ok()) logger->warn("IPAM garbage collection: {}", st.error().message);
  }
}

void Agent::stop() {
  if (!parts_) return;
  if (parts_->join) parts_->join->stop();
  if (parts_->manifests) parts_->manifests->stop();
  if (parts_->events_stream) parts_->events_stream->stop();
  if (parts_->pleg) parts_->pleg->stop();
  if (parts_->api) parts_->api->stop();
  if (parts_->node_api) parts_->node_api->stop();
  if (parts_->workers) parts_->workers->stop();
  if (parts_->prober) parts_->prober->stop();
  if (parts_->proxy) parts_->proxy->stop();
  if (parts_->proxy_api) parts_->proxy_api->stop();
  if (parts_->statuses) parts_->statuses->stop();
  parts_.reset();
  log::get("agent")->info("nodeagent stopped; containers keep running");
}

}  // namespace nodeagent::daemon
