// Pure OCI runtime-spec builder: ContainerConfig → the config.json runc executes. Nothing in
// containerd fills in defaults for a gRPC client, so this writes everything, following
// containerd's defaults (pkg/oci/spec.go, spec_opts.go) plus what the Kubernetes CRI plugin adds
// (cgroup mount, capabilities add/drop, privileged, namespaces joined by path, sysctls).
// No I/O: unit-tested with golden checks in test/unit/oci/.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"
#include "runtime/types.h"

namespace nodeagent::runtime::oci {

// The OCI runtime spec version written into "ociVersion" (runc 1.1 speaks 1.0.2).
inline constexpr const char* kSpecVersion = "1.0.2";
// Used when config.env has no PATH (containerd's default).
inline constexpr const char* kDefaultPathEnv =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// What the builder needs to know about the node (kept out of ContainerConfig, which is per
// container). Defaults describe a node where the agent holds every capability.
struct SpecOptions {
  // Capabilities the agent itself holds (its bounding set): what "privileged" and add "ALL"
  // expand to. Empty = all_capabilities().
  std::vector<std::string> available_capabilities;
};

// Builds the whole spec. kInvalid (naming the container and field) for: empty args, a relative
// working dir or mount path, an unknown capability, a non-numeric image user without
// run_as_user (user names would need the image's /etc/passwd, which a pure builder cannot read).
Result<nlohmann::json> build_oci_spec(const ContainerConfig& config, const SpecOptions& options = {});

// The process object for an exec in a container built from `container_spec`: the container's
// user, env, cwd, capabilities, rlimits and noNewPrivileges, with `argv` and no terminal.
nlohmann::json exec_process_spec(const nlohmann::json& container_spec, const std::vector<std::string>& argv);

}  // namespace nodeagent::runtime::oci
