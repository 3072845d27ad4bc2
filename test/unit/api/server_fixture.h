// A running ApiServer on a socket in a temp dir, over a FakeBackend holding three pods
// (default/web, default/db, kube-system/dns), their containers, a log file and events.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "agent/api/convert.h"
#include "agent/api/server.h"
#include "nodeagent/api.grpc.pb.h"
#include "test/fakes/fake_backend.h"
#include "test/support/temp_dir.h"

namespace nodeagent::testing {

inline std::string cri(const std::string& content, char tag = 'F') {
  return "2024-05-01T10:00:00.5Z stdout " + std::string(1, tag) + " " + content + "\n";
}

inline nlohmann::json make_pod(const std::string& ns, const std::string& name, const std::string& uid,
                               const std::string& app, nlohmann::json container_statuses) {
  nlohmann::json containers = nlohmann::json::array();
  for (const auto& s : container_statuses) containers.push_back({{"name", s["name"]}, {"image", "busybox"}});
  auto created = api::rfc3339(std::chrono::system_clock::now() - std::chrono::minutes(15));  // "15m" for a whole minute
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"uid", uid}, {"labels", {{"app", app}}},
                        {"creationTimestamp", created}}},
          {"spec", {{"containers", containers}, {"nodeName", "node-1"}}},
          {"status", {{"phase", "Running"}, {"podIP", "10.244.0." + std::to_string(name.size())},
                      {"containerStatuses", container_statuses}}}};
}

inline api::ContainerView make_container(const std::string& id, const std::string& pod_ns, const std::string& pod,
                                         const std::string& uid, const std::string& name, bool running) {
  api::ContainerView v;
  v.state.id = id;
  v.state.state = running ? runtime::ContainerStateKind::kRunning : runtime::ContainerStateKind::kExited;
  v.state.image_ref = "docker.io/library/busybox:latest";
  v.state.created_at = std::chrono::system_clock::now() - std::chrono::minutes(14);
  v.state.pid = running ? 1234 : 0;
  v.pod_namespace = pod_ns;
  v.pod_name = pod;
  v.pod_uid = uid;
  v.container_name = name;
  return v;
}

class ServerFixture {
  TempDir dir_;  // first member: removed last, after the server has stopped

 public:
  ServerFixture() : dir_("na-api") {
    using nlohmann::json;
    json running = {{"name", "app"}, {"ready", true}, {"restartCount", 0}, {"state", {{"running", json::object()}}}};
    json crash = {{"name", "db"}, {"ready", false}, {"restartCount", 3},
                  {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}};
    json sidecar = {{"name", "sidecar"}, {"ready", true}, {"restartCount", 0}, {"state", {{"running", json::object()}}}};
    backend.add_pod(make_pod("default", "web", "uid-web-1111", "web", json::array({running})));
    backend.add_pod(make_pod("default", "db", "uid-db-2222", "db", json::array({crash, sidecar})));
    backend.add_pod(make_pod("kube-system", "dns", "uid-dns-3333", "dns", json::array({running})));

    backend.add_container(make_container("c0ffee0123456789", "default", "web", "uid-web-1111", "app", true));
    backend.add_container(make_container("dbdb000000000001", "default", "db", "uid-db-2222", "db", false));
    backend.add_container(make_container("dbdb000000000002", "default", "db", "uid-db-2222", "sidecar", true));
    backend.add_container(make_container("d05d05d05d05d05d", "kube-system", "dns", "uid-dns-3333", "app", true));

    log_path = dir_.file("web-app-0.log");
    append_file(log_path, cri("line 1") + cri("line 2") + cri("line ", 'P') + cri("3"));
    backend.set_log("default/web", "", false, {log_path, true});
    backend.set_log("default/web", "app", false, {log_path, true});

    backend.add_event({{"type", "Warning"}, {"reason", "BackOff"}, {"message", "Back-off restarting failed container"},
                       {"involvedObject", {{"kind", "Pod"}, {"name", "db"}, {"namespace", "default"}}},
                       {"lastTimestamp", api::rfc3339(std::chrono::system_clock::now() - std::chrono::seconds(30))}});

    runtime::ImageInfo busybox;
    busybox.id = "sha256:" + std::string(64, 'b');
    busybox.repo_tags = {"docker.io/library/busybox:latest"};
    busybox.size = 2150000;
    backend.image_service.add_image(busybox);

    fakes::FakeContainerService::ExecScript script;
    script.output = {{false, "hello\n"}, {true, "warn\n"}};
    script.exit_code = 3;
    backend.container_service.set_exec("c0ffee0123456789", script);

    socket_path = dir_.file("run/nodeagent/nodeagent.sock");
    api::ApiServerOptions options;
    options.socket_path = socket_path;
    options.log_poll_interval = std::chrono::milliseconds(10);
    server = std::make_unique<api::ApiServer>(backend, options);
  }

  std::unique_ptr<v1::NodeAgent::Stub> stub() {
    return v1::NodeAgent::NewStub(grpc::CreateChannel("unix:" + socket_path, grpc::InsecureChannelCredentials()));
  }
  const TempDir& dir() const { return dir_; }

  fakes::FakeBackend backend;
  std::string socket_path;
  std::string log_path;
  std::unique_ptr<api::ApiServer> server;
};

}  // namespace nodeagent::testing
