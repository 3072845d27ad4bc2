// kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): the files of a configMap, secret,
// downwardAPI or projected volume change all at once, so that a reader never sees half of an
// update. The layout inside the volume directory:
//
//   ..2026_12_02_07_48_17.Ab12Cd/   the files of the current version (a timestamped hidden dir)
//   ..data -> ..2026_12_02_07_48_17.Ab12Cd
//   key -> ..data/key               one symlink per top-level name of the payload
//
// An update (timeline):
//   1. the new version is written into a new ..<timestamp> dir (modes, fsGroup ownership);
//   2. a symlink ..data_tmp -> the new dir is renamed over ..data: the one atomic step, after
//      which every new open(key) resolves into the new version;
//   3. symlinks for new top-level names are created, those of vanished names removed;
//   4. the old ..<timestamp> dir is removed.
// A reader that wants several keys of one version resolves ..data once (chdir or openat on it)
// and reads the keys relative to it; a read that then fails with ENOENT lost a race against
// step 4 and retries. Nothing is written at all when the payload equals what is on disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/result.h"
#include "volumes/atomic/payload.h"

namespace nodeagent::volumes {

// kubelet's SetVolumeOwnership for these (read-only) volumes: with an fsGroup, everything in
// the volume is group-owned by it, files get group read (mode | 0440) and directories group
// read/search and setgid (mode | 02550).
struct VolumeOwnership {
  std::optional<int64_t> fs_group;
  friend bool operator==(const VolumeOwnership&, const VolumeOwnership&) = default;
};

// The mode a file of the payload has on disk under `ownership`.
int32_t effective_file_mode(int32_t mode, const VolumeOwnership& ownership);

class AtomicWriter {
 public:
  // `target_dir` is the volume directory; it must exist. `context` prefixes errors
  // (`volume "config"`).
  AtomicWriter(std::string target_dir, std::string context);

  // Makes the volume hold exactly `payload`. Returns whether anything was written (false: the
  // payload was already there). Paths are validated first (payload_path.h): an invalid path
  // writes nothing.
  [[nodiscard]] Result<bool> write(const Payload& payload, const VolumeOwnership& ownership = {});

 private:
  [[nodiscard]] Result<bool> on_disk(const Payload& payload, const std::string& ts_dir,
                                     const VolumeOwnership& ownership) const;
  [[nodiscard]] Result<std::string> write_new_version(const Payload& payload, const VolumeOwnership& ownership) const;
  [[nodiscard]] Status swap_data_link(const std::string& ts_name) const;
  [[nodiscard]] Status update_user_visible(const Payload& payload) const;
  void remove_old_versions(const std::string& keep) const;
  Error fail(const std::string& what, int err) const;

  std::string target_;
  std::string context_;
};

}  // namespace nodeagent::volumes
