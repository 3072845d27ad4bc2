// Mount propagation and recursive read-only of volumeMounts, and the rro capability probe.
#include "volumes/manager/mount_options.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

namespace nodeagent::volumes {

Result<std::string> container_propagation(const kube::VolumeMount& m, const kube::Container& c) {
  const std::string mode = m.mount_propagation.value_or("None");
  if (mode == "None") return std::string();
  if (mode == "HostToContainer") return std::string("rslave");
  if (mode == "Bidirectional") {
    const bool privileged = c.security_context && c.security_context->privileged.value_or(false);
    if (!privileged)
      return invalid(fmt::format("volumeMount \"{}\" of container \"{}\": Bidirectional mount propagation is "
                                 "available only to privileged containers", m.name, c.name));
    return std::string("rshared");
  }
  return invalid(fmt::format("invalid MountPropagation mode: \"{}\"", mode));
}

Result<bool> resolve_recursive_read_only(const kube::VolumeMount& m, bool supported) {
  const std::string mode = m.recursive_read_only.value_or("Disabled");
  if (mode == "Disabled") return false;
  if (!m.read_only)
    return invalid(fmt::format("failed to resolve recursive read-only mode: volume \"{}\" requires recursiveReadOnly "
                               "to be \"Disabled\" if readOnly is false", m.name));
  if (m.mount_propagation && *m.mount_propagation != "None")
    return invalid(fmt::format("failed to resolve recursive read-only mode: volume \"{}\" requires recursiveReadOnly "
                               "to be \"Disabled\" if mountPropagation is not \"None\"", m.name));
  if (mode == "IfPossible") return supported;
  if (mode == "Enabled") {
    if (!supported)
      return invalid(fmt::format("failed to resolve recursive read-only mode: volume \"{}\" requires recursiveReadOnly "
                                 "to be \"Enabled\", but it is not supported by the runtime and the kernel", m.name));
    return true;
  }
  return invalid(fmt::format("failed to resolve recursive read-only mode: unknown recursiveReadOnly mode \"{}\"", mode));
}

namespace {

bool kernel_has_mount_setattr() {
#ifdef SYS_mount_setattr
  // Bad arguments on purpose: ENOSYS means no such call, anything else (EBADF, EINVAL) that it exists.
  long r = ::syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0);
  return !(r < 0 && errno == ENOSYS);
#else
  return false;
#endif
}

// containerd 1.6 hands the OCI mount options to runc unchanged; runc 1.1+ says in `runc
// features` whether it knows "rro" (what containerd 2's CRI asks too).
bool runc_knows_rro() {
  FILE* p = ::popen("runc features 2>/dev/null", "r");
  if (!p) return false;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  return rc == 0 && out.find("\"rro\"") != std::string::npos;
}

}  // namespace

bool recursive_read_only_supported() {
  static const bool supported = kernel_has_mount_setattr() && runc_knows_rro();
  return supported;
}

}  // namespace nodeagent::volumes
