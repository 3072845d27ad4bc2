#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "agent/config/config.h"

using namespace nodeagent::config;

namespace {
ParseOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "nodeagent");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  return parse_args(static_cast<int>(argv.size()), argv.data());
}

std::string write_temp(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("nodeagent-config-test-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("defaults follow kubelet") {
  auto out = parse({});
  REQUIRE(out.exit_code == -1);
  CHECK(out.config.root_dir == "/var/lib/nodeagent");
  CHECK(out.config.pod_log_dir == "/var/log/pods");
  CHECK(out.config.max_pods == 110);
  CHECK(out.config.containerd_namespace == "nodeagent");
  CHECK(out.config.api_socket == "/run/nodeagent/nodeagent.sock");
  CHECK(out.config.container_runtime_endpoint == "unix:///run/containerd/containerd.sock");
}

TEST_CASE("flags set fields") {
  auto out = parse({"--pod-manifest-path", "/etc/kubernetes/manifests", "--max-pods=30", "--hostname-override", "node-a",
                    "--node-routes", "10.244.2.0/24=192.168.50.2,10.244.3.0/24=192.168.50.3", "--no-proxy"});
  REQUIRE(out.exit_code == -1);
  CHECK(out.config.pod_manifest_path == "/etc/kubernetes/manifests");
  CHECK(out.config.max_pods == 30);
  CHECK(node_name(out.config) == "node-a");
  REQUIRE(out.config.node_routes.size() == 2);
  CHECK(out.config.node_routes[1].pod_cidr == "10.244.3.0/24");
  CHECK(out.config.node_routes[1].via == "192.168.50.3");
  CHECK_FALSE(out.config.proxy_enabled);

  auto no_via = parse({"--node-routes", "10.244.2.0/24"});
  CHECK(no_via.exit_code == 2);
  CHECK(no_via.message == "--node-routes: \"10.244.2.0/24\" must be CIDR=VIA");
}

TEST_CASE("unknown flags and bad values exit 2 naming the flag") {
  auto unknown = parse({"--pod-manifest-dir", "/x"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.message, Catch::Contains("--pod-manifest-dir"));

  auto not_a_number = parse({"--max-pods", "many"});
  CHECK(not_a_number.exit_code == 2);
  CHECK_THAT(not_a_number.message, Catch::Contains("--max-pods"));

  auto negative = parse({"--max-pods", "0"});
  CHECK(negative.exit_code == 2);
  CHECK(negative.message == "--max-pods: must be at least 1, got 0");

  auto relative = parse({"--root-dir", "state"});
  CHECK(relative.exit_code == 2);
  CHECK_THAT(relative.message, Catch::Contains("--root-dir"));
}

TEST_CASE("help exits 0") {
  auto out = parse({"--help"});
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.message, Catch::Contains("--pod-manifest-path"));
}

TEST_CASE("config file sets fields, flags win, unknown keys are errors") {
  auto path = write_temp("podManifestPath: /srv/manifests\nmaxPods: 12\nclusterDns: [10.96.0.10, 10.96.0.11]\nrootDir: /var/lib/x\n");
  auto out = parse({"--config", path, "--max-pods", "7"});
  REQUIRE(out.exit_code == -1);
  CHECK(out.config.pod_manifest_path == "/srv/manifests");
  CHECK(out.config.max_pods == 7);
  CHECK(out.config.root_dir == "/var/lib/x");
  CHECK(out.config.cluster_dns == std::vector<std::string>{"10.96.0.10", "10.96.0.11"});

  auto bad = write_temp("maxPodz: 3\n");
  auto err = parse({"--config", bad});
  CHECK(err.exit_code == 2);
  CHECK(err.message == "config file " + bad + ": unknown field \"maxPodz\"");
  std::filesystem::remove(path);
}

TEST_CASE("IP and CIDR flags are checked at start, naming the flag") {
  struct Case {
    std::vector<std::string> args;
    std::string flag;
  };
  for (const auto& c : std::vector<Case>{{{"--node-ip", "10.0.0"}, "--node-ip: "},
                                         {{"--pod-cidr", "10.244.1.0/33"}, "--pod-cidr: "},
                                         {{"--cluster-cidr", "10.244.0.0"}, "--cluster-cidr: "},
                                         {{"--node-routes", "10.244.2.0/24=192.168.50"}, "--node-routes[0]: "},
                                         {{"--nodeport-addresses", "127.0.0.0/8,abc"}, "--nodeport-addresses: "},
                                         {{"--cluster-dns", "10.96.0.300"}, "--cluster-dns: "}}) {
    INFO(c.flag);
    auto out = parse(c.args);
    CHECK(out.exit_code == 2);
    CHECK(out.message.rfind(c.flag, 0) == 0);
  }
  CHECK(parse({"--node-ip", "192.168.50.1", "--pod-cidr", "10.244.1.0/24", "--cluster-cidr", "10.244.0.0/16"}).exit_code == -1);
}
