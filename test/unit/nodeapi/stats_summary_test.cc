#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "agent/nodeapi/stats_summary.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::nodeapi;
namespace fs = std::filesystem;

namespace {

void put(const testing::TempDir& dir, const std::string& rel, const std::string& text) {
  fs::create_directories((dir / rel).parent_path());
  dir.write(rel, text);
}

// A cgroup v1 tree (cpuacct, memory, pids) and a /proc with what the provider reads.
struct Fixture {
  testing::TempDir cg{"na-stats-cg"}, proc{"na-stats-proc"}, root{"na-stats-root"}, logs{"na-stats-logs"};
  StatsPod pod;
  Fixture() {
    const std::string pod_cg = "/kubepods/burstable/poduid1";
    const std::string c_cg = pod_cg + "/cid1";
    put(cg, "cpuacct/cpuacct.usage", "9000000000\n");
    put(cg, "memory/memory.usage_in_bytes", "8000000\n");
    put(cg, "memory/memory.stat", "total_inactive_file 3000000\ntotal_rss 1000\n");
    put(cg, "memory/memory.limit_in_bytes", "9223372036854771712\n");
    put(cg, "cpuacct" + pod_cg + "/cpuacct.usage", "2000000000\n");
    put(cg, "memory" + pod_cg + "/memory.usage_in_bytes", "600000\n");
    put(cg, "memory" + pod_cg + "/memory.stat",
        "cache 1\ntotal_rss 250000\ntotal_inactive_file 100000\ntotal_pgfault 42\ntotal_pgmajfault 3\n");
    put(cg, "memory" + pod_cg + "/memory.limit_in_bytes", "1048576\n");
    put(cg, "pids" + pod_cg + "/pids.current", "4\n");
    put(cg, "cpuacct" + c_cg + "/cpuacct.usage", "1500000000\n");
    put(cg, "memory" + c_cg + "/memory.usage_in_bytes", "500000\n");
    put(cg, "memory" + c_cg + "/memory.stat", "total_rss 200000\ntotal_inactive_file 50000\n");
    put(cg, "memory" + c_cg + "/memory.limit_in_bytes", "9223372036854771712\n");
    put(proc, "meminfo", "MemTotal:       16000 kB\nMemFree: 1 kB\n");
    put(proc, "stat", "cpu 1 2 3\nbtime 1767225600\n");
    const std::string dev =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
        "    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n";
    put(proc, "net/dev", dev + "  cp0: 5000 10 1 0 0 0 0 0 7000 12 2 0 0 0 0 0\n");
    put(proc, "77/net/dev", dev + "  eth0: 300 3 0 0 0 0 0 0 400 4 0 0 0 0 0 0\n");
    put(logs, "default_web_uid1/main/0.log", std::string(10000, 'x'));
    pod = StatsPod{"web", "default", "uid1", "2026-01-01T00:00:00Z", "Burstable",
                   {StatsContainer{"main", "cid1", "2026-01-01T00:00:01Z", 77}}};
  }
  StatsProvider provider() {
    StatsSources s;
    s.node_name = "node1";
    s.root_dir = root.path();
    s.log_dir = logs.path();
    s.proc = proc.path();
    auto p = pod;
    s.pods = [p] { return std::vector<StatsPod>{p}; };
    s.pod_cgroup = [](const StatsPod& x) { return "/kubepods/burstable/pod" + x.uid; };
    s.container_cgroup = [](const StatsPod& x, const StatsContainer& c) { return "/kubepods/burstable/pod" + x.uid + "/" + c.id; };
    s.pods_cgroup = "/kubepods";
    runtime::cgroups::CgroupLayout layout;
    layout.version = runtime::cgroups::CgroupVersion::kV1;
    layout.mount_root = cg.path();
    layout.v1_hierarchies = {"cpuacct", "memory", "pids"};
    return StatsProvider(s, runtime::cgroups::CgroupStatsReader(layout));
  }
};

}  // namespace

TEST_CASE("summary: node, pod and container figures come from the cgroup files, kubelet's field names") {
  Fixture f;
  auto s = f.provider().summary();
  const auto& node = s["node"];
  CHECK(node["nodeName"] == "node1");
  CHECK(node["startTime"] == "2026-01-01T00:00:00Z");
  CHECK(node["cpu"]["usageCoreNanoSeconds"] == 9000000000ull);
  CHECK_FALSE(node["cpu"].contains("usageNanoCores"));  // no earlier sample yet
  CHECK(node["memory"]["usageBytes"] == 8000000);
  CHECK(node["memory"]["workingSetBytes"] == 5000000);
  CHECK(node["memory"]["availableBytes"] == 16000 * 1024 - 5000000);  // MemTotal: v1's "unlimited" ignored
  CHECK(node["network"]["name"] == "cp0");
  CHECK(node["network"]["rxBytes"] == 5000);
  CHECK(node["network"]["txErrors"] == 2);
  CHECK(node["fs"]["capacityBytes"].get<uint64_t>() > 0);
  CHECK(node["systemContainers"][0]["name"] == "pods");

  REQUIRE(s["pods"].size() == 1);
  const auto& pod = s["pods"][0];
  CHECK(pod["podRef"] == nlohmann::json({{"name", "web"}, {"namespace", "default"}, {"uid", "uid1"}}));
  CHECK(pod["startTime"] == "2026-01-01T00:00:00Z");
  CHECK(pod["cpu"]["usageCoreNanoSeconds"] == 2000000000ull);
  CHECK(pod["memory"]["workingSetBytes"] == 500000);
  CHECK(pod["memory"]["rssBytes"] == 250000);
  CHECK(pod["memory"]["pageFaults"] == 42);
  CHECK(pod["memory"]["majorPageFaults"] == 3);
  CHECK(pod["memory"]["availableBytes"] == 1048576 - 500000);
  CHECK(pod["network"]["name"] == "eth0");
  CHECK(pod["network"]["rxBytes"] == 300);
  CHECK(pod["process_stats"]["process_count"] == 4);
  CHECK(pod["ephemeral-storage"]["usedBytes"].get<uint64_t>() >= 10000);

  REQUIRE(pod["containers"].size() == 1);
  const auto& c = pod["containers"][0];
  CHECK(c["name"] == "main");
  CHECK(c["startTime"] == "2026-01-01T00:00:01Z");
  CHECK(c["cpu"]["usageCoreNanoSeconds"] == 1500000000ull);
  CHECK(c["memory"]["workingSetBytes"] == 450000);
  CHECK(c["logs"]["usedBytes"].get<uint64_t>() >= 10000);
  CHECK(c["rootfs"].contains("capacityBytes"));
}

TEST_CASE("usageNanoCores is the rate between two reads at least a second apart") {
  Fixture f;
  auto provider = f.provider();
  provider.summary();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  put(f.cg, "cpuacct/kubepods/burstable/poduid1/cpuacct.usage", "3100000000\n");  // +1.1 s of CPU
  auto s = provider.summary();
  auto cores = s["pods"][0]["cpu"]["usageNanoCores"].get<uint64_t>();
  CHECK(cores > 800'000'000);
  CHECK(cores <= 1'000'000'000);
}

TEST_CASE("only_cpu_and_memory leaves out network, filesystems and processes") {
  Fixture f;
  auto s = f.provider().summary(true);
  CHECK_FALSE(s["node"].contains("fs"));
  CHECK_FALSE(s["node"].contains("network"));
  CHECK_FALSE(s["pods"][0].contains("network"));
  CHECK_FALSE(s["pods"][0]["containers"][0].contains("logs"));
  CHECK(s["pods"][0]["memory"].contains("workingSetBytes"));
}

TEST_CASE("cgroup v2 files are read too") {
  testing::TempDir cg("na-stats-v2");
  put(cg, "kubepods/poda/cpu.stat", "usage_usec 1234\nuser_usec 1\n");
  put(cg, "kubepods/poda/memory.current", "4096\n");
  put(cg, "kubepods/poda/memory.stat", "anon 100\ninactive_file 1000\npgfault 5\npgmajfault 1\n");
  put(cg, "kubepods/poda/memory.max", "max\n");
  put(cg, "kubepods/poda/pids.current", "2\n");
  runtime::cgroups::CgroupLayout layout;
  layout.version = runtime::cgroups::CgroupVersion::kV2;
  layout.mount_root = cg.path();
  runtime::cgroups::CgroupStatsReader r(layout);
  CHECK(r.cpu("/kubepods/poda")->usage_ns == 1234000);
  auto m = r.memory("/kubepods/poda");
  REQUIRE(m);
  CHECK(m->working_set_bytes == 3096);
  CHECK(m->rss_bytes == 100);
  CHECK_FALSE(m->limit_bytes);
  CHECK(r.process_count("/kubepods/poda") == 2u);
  CHECK_FALSE(r.cpu("/kubepods/missing"));
}
