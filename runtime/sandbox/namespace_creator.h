// Creates a pod's network, IPC and UTS namespaces and pins them with bind mounts. unshare()
// moves only the calling thread, so the work runs on a short-lived thread of its own and the
// agent's other threads (gRPC, pool workers) never change namespace.
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent::runtime::sandbox {

struct NamespaceRequest {
  std::string dir;        // the pod's ns dir; files net/ipc/uts are created in it
  bool net = false;       // new netns, with lo up
  bool ipc = false;
  bool uts = false;
  std::string hostname;   // set in the new UTS namespace
};

// Creates the requested namespaces on a dedicated thread and bind-mounts each at <dir>/<kind>.
// On error, namespaces already mounted by this call are left for the caller to unmount.
Status create_namespaces(const NamespaceRequest& request);

// Brings the loopback interface up in the calling thread's network namespace.
Status bring_loopback_up();

}  // namespace nodeagent::runtime::sandbox
