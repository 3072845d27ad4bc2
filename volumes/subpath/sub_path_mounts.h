// The bind mounts behind volumeMounts with a subPath, as kubelet's doBindSubPath lays them out:
// the subPath is opened safely inside its volume (safe_open.h), and the open fd itself
// (/proc/self/fd/N, which no later symlink can redirect) is bind-mounted onto a target of the
// container's own under the pod dir, <root>/pods/<uid>/volume-subpaths/<volume>/<container>/<index>
// (util/pod_state_dir.h). The runtime is given that target, never the path inside the volume.
// A directory subPath gets a directory target, anything else a file target.
//
// Targets are kept while the pod lives: a restarted container reuses its target (checked to
// still be the same file, else re-mounted). They go when the pod's volumes are torn down, before
// the volumes themselves, found again from the directory layout and the mount table, so that an
// agent restart in between loses none. Nothing is ever removed while it is still a mount point.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "util/pod_state_dir.h"
#include "util/result.h"
#include "volumes/mount/mounter.h"
#include "volumes/subpath/open_beneath.h"

namespace nodeagent::volumes::subpath {

struct SubPathRequest {
  std::string pod_uid;
  std::string volume_name;
  std::string volume_path;  // the volume's directory on the node
  std::string container_name;
  size_t mount_index = 0;   // the index in the container's volumeMounts
  std::string sub_path;     // relative, no `..` (validated and, for subPathExpr, expanded)
};

class SubPathMounts {
 public:
  SubPathMounts(std::string root_dir, std::shared_ptr<Mounter> mounter, Resolver how = Resolver::kAuto);

  // Creates the subPath when missing (directories with the volume's mode, as kubelet), binds it
  // at the container's target and returns the target. Errors say what is wrong in the user's
  // terms (e.g. the subPath leads outside the volume) without naming the node's paths.
  Result<std::string> prepare(const SubPathRequest& request);

  // Unmounts and removes the container's targets (all volumes).
  [[nodiscard]] Status clean_container(const std::string& pod_uid, const std::string& container_name);
  // Unmounts and removes every target of the pod, then <pod>/volume-subpaths itself.
  [[nodiscard]] Status clean_pod(const std::string& pod_uid);

 private:
  [[nodiscard]] Status clean_target(const std::string& target);
  [[nodiscard]] Status clean_container_dir(const std::string& dir);

  PodStateDir paths_;
  std::shared_ptr<Mounter> mounter_;
  Resolver how_;
};

}  // namespace nodeagent::volumes::subpath
