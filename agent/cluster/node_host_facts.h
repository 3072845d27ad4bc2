// The facts of this host that its Node object reports, read as kubelet (through cAdvisor) reads
// them, plus the node flags: one call that gives node_object.h its NodeFacts.
//
//   machineID      /etc/machine-id (else /var/lib/dbus/machine-id)
//   systemUUID     /sys/class/dmi/id/product_uuid ("" when not readable: it is root-only)
//   bootID         /proc/sys/kernel/random/boot_id
//   kernelVersion  uname -r;  architecture: uname -m as GOARCH
//   osImage        PRETTY_NAME of /etc/os-release ("Linux" without one)
//   cpu            online CPUs;  memory: MemTotal of /proc/meminfo;  swap: SwapTotal
//   ephemeral-storage  the size of the filesystem holding the root dir (statvfs)
//   hugepages-<size>   nr_hugepages of /sys/kernel/mm/hugepages/hugepages-<N>kB, for each size
#pragma once

#include <string>
#include <vector>

#include "agent/cluster/node_object.h"
#include "util/result.h"

namespace nodeagent::cluster {

// Where the facts are read from; tests point them at files of their own.
struct HostPaths {
  std::vector<std::string> machine_id = {"/etc/machine-id", "/var/lib/dbus/machine-id"};
  std::string product_uuid = "/sys/class/dmi/id/product_uuid";
  std::string boot_id = "/proc/sys/kernel/random/boot_id";
  std::string os_release = "/etc/os-release";
  std::string meminfo = "/proc/meminfo";
  std::string hugepages_dir = "/sys/kernel/mm/hugepages";
};

// The agent's settings that go into the Node (kubelet's flag names).
struct NodeFactsConfig {
  std::string node_name;                          // config::node_name()
  std::string node_ip;                            // --node-ip, or the address the agent found
  std::vector<std::string> node_labels;           // --node-labels items
  std::vector<std::string> register_with_taints;  // --register-with-taints
  bool register_schedulable = true;               // --register-schedulable
  std::vector<std::string> kube_reserved;         // --kube-reserved
  std::vector<std::string> system_reserved;       // --system-reserved
  int max_pods = 110;                             // --max-pods
  std::string root_dir = "/var/lib/nodeagent";    // --root-dir: ephemeral-storage is its filesystem
  std::string container_runtime_version;          // "containerd://<Version RPC's version>"
};

// "v" + util/version.h: the kubeletVersion this agent reports.
std::string agent_kubelet_version();

// Reads the host and checks the flags; errors name the flag or the file.
Result<NodeFacts> gather_node_facts(const NodeFactsConfig& config, const HostPaths& paths = {});

// "PRETTY_NAME" of an os-release file's text ("" when absent); quotes removed.
std::string os_release_pretty_name(const std::string& text);

// MemTotal (or another field, e.g. "SwapTotal") of a /proc/meminfo text, in bytes (-1 when absent).
int64_t meminfo_total_bytes(const std::string& text, const std::string& field = "MemTotal");

// "hugepages-2048kB" -> "hugepages-2Mi" (the resource name of the page size); "" if not one.
std::string hugepages_resource_name(const std::string& sysfs_dir_name);

}  // namespace nodeagent::cluster
