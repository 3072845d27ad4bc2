// The real Kubernetes control plane for e2e tests (scripts/controlplane): built once per
// version (cached), started in a network namespace of its own with a unique name, stopped and
// removed by the destructor even when the test fails. kubectl runs as cluster admin.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "test/support/containerd_fixture.h"

namespace nodeagent::testing {

class ControlPlane {
 public:
  ControlPlane();  // REQUIREs that it came up
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Issues a node identity (CN=system:node:<node>) and returns the path of its kubeconfig.
  std::string node_kubeconfig(const std::string& node) const;
  // Attaches `netns` (a simulated node) to the control plane's bridge with `ip`/24.
  void connect(const std::string& netns, const std::string& ip) const;
  CommandResult kubectl(const std::string& args) const;
  // `kubectl get ... -o json`, null when it fails.
  nlohmann::json get_json(const std::string& args) const;
  // kubectl apply -f - with `yaml` on stdin.
  CommandResult apply(const std::string& yaml) const;
  CommandResult script(const std::string& args) const;  // cluster.sh ARGS, for our control plane
  const std::string& name() const { return name_; }
  std::string dir() const;  // the control plane's state dir

 private:
  std::string name_;
};

}  // namespace nodeagent::testing
