// A real control plane for the join's integration tests, through scripts/controlplane/cluster.sh:
// one cluster per test process (name "nj<pid>"), brought up on first use and taken down at exit;
// node network namespaces ("na-it-<pid>-<suffix>") joined to it with `cluster.sh connect`; and
// a way to run code inside such a netns (a thread that setns()s first: threads it starts stay in
// the netns, so every connection to the API server leaves from the node's namespace and nothing
// is sent from the host's). Leftovers of crashed earlier runs are removed first.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace nodeagent::cluster::testing {

// Runs a shell command; returns its stdout (stderr goes to the test log). `rc` gets the status.
std::string sh(const std::string& command, int* rc = nullptr);

class ControlPlane {
 public:
  // The process's cluster, up on first call (which can take minutes: build.sh runs if the
  // binaries are not cached; NODEAGENT_CP_BIN names a bin dir to use instead).
  static ControlPlane& shared();
  ~ControlPlane();

  // false when cluster.sh is missing or `up` failed; why() says which.
  bool up() const { return up_; }
  const std::string& why() const { return why_; }
  const std::string& name() const { return name_; }

  // kubectl as cluster admin (inside the control plane's netns).
  std::string kubectl(const std::string& args, int* rc = nullptr) const;
  nlohmann::json kubectl_json(const std::string& args) const;  // null on failure
  // kubectl apply -f - with `yaml` on stdin; returns kubectl's output (stderr included).
  std::string apply(const std::string& yaml, int* rc = nullptr) const;
  // Issues CN=system:node:<node>; returns the node's kubeconfig path.
  std::string node_kubeconfig(const std::string& node) const;
  // The cluster's bootstrap kubeconfig (a bootstrap token, as `kubeadm join` hands out).
  std::string bootstrap_kubeconfig() const { return dir_ + "/bootstrap-kubeconfig"; }
  // kube-proxy's kubeconfig (CN=system:kube-proxy) written beside it by node_kubeconfig().
  std::string proxy_kubeconfig(const std::string& node) const;
  void connect(const std::string& netns, const std::string& ip) const;
  void stop_apiserver() const;
  void start_apiserver() const;
  // POST `body` to etcd's JSON gateway (http://127.0.0.1:2379/v3/<api>, e.g. "kv/put" or
  // "kv/compaction") inside the control plane's netns; returns etcd's answer ("" on failure).
  // Works while kube-apiserver is stopped: the tests use it to move the revision on and compact.
  std::string etcd(const std::string& api, const std::string& body) const;

 private:
  ControlPlane();
  std::string cluster_sh(const std::string& args, int* rc = nullptr) const;

  std::string script_;
  std::string name_;
  std::string dir_;
  bool up_ = false;
  std::string why_;
};

// A node's network namespace on the control plane's bridge, with `ip` (10.250.0.x); removed on
// scope exit (its veth goes with it).
class NodeNetns {
 public:
  NodeNetns(const ControlPlane& cp, const std::string& suffix, const std::string& ip);
  ~NodeNetns();
  NodeNetns(const NodeNetns&) = delete;
  NodeNetns& operator=(const NodeNetns&) = delete;
  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }
  const std::string& ip() const { return ip_; }

  // Runs `fn` on a thread inside the netns and waits for it; what it throws is rethrown here.
  // Threads `fn` starts stay inside.
  void run(const std::function<void()>& fn) const;

 private:
  std::string name_;
  std::string ip_;
};

// Waits up to `seconds` for `ready` (polled every 500 ms).
bool eventually(int seconds, const std::function<bool()>& ready);

}  // namespace nodeagent::cluster::testing
