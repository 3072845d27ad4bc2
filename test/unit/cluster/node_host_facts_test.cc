#include "agent/cluster/node_host_facts.h"

#include <filesystem>

#include <catch2/catch.hpp>

#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using Catch::Matchers::Contains;

TEST_CASE("host facts: os-release, meminfo and huge page names are read as cAdvisor reads them") {
  CHECK(os_release_pretty_name("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n") ==
        "Debian GNU/Linux 12 (bookworm)");
  CHECK(os_release_pretty_name("PRETTY_NAME=Alpine\n") == "Alpine");
  CHECK(os_release_pretty_name("ID=x\n").empty());
  CHECK(meminfo_total_bytes("MemTotal:       16318612 kB\nMemFree: 1 kB\n") == int64_t{16318612} * 1024);
  CHECK(meminfo_total_bytes("MemFree: 1 kB\n") == -1);
  CHECK(meminfo_total_bytes("MemTotal: 2 kB\nSwapTotal:  4 kB\n", "SwapTotal") == 4096);
  CHECK(hugepages_resource_name("hugepages-2048kB") == "hugepages-2Mi");
  CHECK(hugepages_resource_name("hugepages-1048576kB") == "hugepages-1Gi");
  CHECK(hugepages_resource_name("hugepages-64kB") == "hugepages-64Ki");
  CHECK(hugepages_resource_name("hugepages-x").empty());
  CHECK(agent_kubelet_version().rfind("v", 0) == 0);
}

TEST_CASE("host facts: gathered from the host's files and the node flags") {
  nodeagent::testing::TempDir dir("na-facts");
  dir.write("machine-id", "0123456789abcdef\n");
  dir.write("boot_id", "c0ffee\n");
  dir.write("os-release", "PRETTY_NAME=\"Test OS 1\"\n");
  dir.write("meminfo", "MemTotal: 2048 kB\nSwapTotal: 0 kB\n");
  std::filesystem::create_directories(dir / "hugepages" / "hugepages-2048kB");
  dir.write("hugepages/hugepages-2048kB/nr_hugepages", "4\n");
  HostPaths paths;
  paths.machine_id = {dir.file("missing"), dir.file("machine-id")};
  paths.product_uuid = dir.file("no-uuid");
  paths.boot_id = dir.file("boot_id");
  paths.os_release = dir.file("os-release");
  paths.meminfo = dir.file("meminfo");
  paths.hugepages_dir = dir.file("hugepages");

  NodeFactsConfig c;
  c.node_name = "n1";
  c.node_ip = "10.250.0.11";
  c.node_labels = {"node.kubernetes.io/pool=a"};
  c.register_with_taints = {"dedicated=gpu:NoSchedule"};
  c.kube_reserved = {"cpu=100m"};
  c.system_reserved = {"memory=1Ki"};
  c.max_pods = 20;
  c.root_dir = dir.path();
  c.container_runtime_version = "containerd://1.6.20";
  auto f = gather_node_facts(c, paths);
  REQUIRE(f.ok());
  CHECK(f->name == "n1");
  CHECK(f->hostname == "n1");
  CHECK(f->machine_id == "0123456789abcdef");
  CHECK(f->system_uuid.empty());
  CHECK(f->boot_id == "c0ffee");
  CHECK(f->os_image == "Test OS 1");
  CHECK(f->memory_bytes == 2048 * 1024);
  CHECK(f->swap_bytes == 0);
  CHECK(f->hugepages.at("hugepages-2Mi") == 4 * 2048 * 1024);
  CHECK(f->ephemeral_storage_bytes > 0);
  CHECK(f->cpu_millis >= 1000);
  CHECK(f->max_pods == 20);
  CHECK(f->labels.at("node.kubernetes.io/pool") == "a");
  CHECK(f->labels.at("kubernetes.io/hostname") == "n1");
  CHECK(f->labels.at("kubernetes.io/arch") == f->architecture);
  CHECK(f->taints.size() == 1);
  CHECK(f->kube_reserved.at("cpu").milli == 100);
  CHECK(f->system_reserved.at("memory").value() == 1024);
  CHECK(f->kernel_version.size() > 0);
  CHECK(f->container_runtime_version == "containerd://1.6.20");

  c.node_labels = {"kubernetes.io/role=master"};
  CHECK_THAT(gather_node_facts(c, paths).error().message, Contains("--node-labels"));
  c.node_labels = {};
  c.kube_reserved = {"gpu=1"};
  CHECK_THAT(gather_node_facts(c, paths).error().message, Contains("--kube-reserved"));
}
