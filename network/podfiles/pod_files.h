// The three files the agent manages for every pod and mounts into each container, as kubelet
// does: /etc/hosts, /etc/hostname and /etc/resolv.conf. render_pod_files() is pure;
// write_pod_files() puts them in the pod's directory atomically (temp file + rename), so a
// container never sees a half-written file when the agent rewrites them.
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"
#include "util/result.h"
#include "network/podfiles/resolv_conf.h"

namespace nodeagent::network {

struct NodeFacts {
  std::string hostname;        // the node's hostname (hostNetwork pods see it)
  std::string hosts_content;   // the node's /etc/hosts (hostNetwork pods get a copy)
  NodeDnsSettings dns;
};

struct PodFiles {
  std::string hosts;
  std::string hostname;      // file content, with the trailing newline
  std::string resolv_conf;
  std::vector<std::string> warnings;  // for DNSConfigForming events
};

// pod_ips: status.podIPs (empty is allowed before the network is up; then no pod IP line).
Result<PodFiles> render_pod_files(const kube::Pod& pod, const std::vector<std::string>& pod_ips,
                                  const NodeFacts& node);

struct PodFilePaths {
  std::string hosts;        // <dir>/etc-hosts (kubelet's name)
  std::string hostname;     // <dir>/hostname
  std::string resolv_conf;  // <dir>/resolv.conf
};

// Where the files of a pod live in `dir`: the one place that names them.
PodFilePaths pod_file_paths(const std::string& dir);

// Writes the files into `dir` (created if missing), each replaced atomically; a file whose
// content is already right is left alone.
Result<PodFilePaths> write_pod_files(const std::string& dir, const PodFiles& files);

}  // namespace nodeagent::network
