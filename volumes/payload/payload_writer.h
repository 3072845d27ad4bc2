// The last step of the configMap, secret, downwardAPI and projected plugins: the payload into
// the volume directory through the AtomicWriter, remembered per volume directory so that the
// set_up of every sync of a running pod costs no disk read when nothing changed. A volume whose
// objects are all immutable is not even rebuilt: its content can never change.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "util/result.h"
#include "volumes/atomic/atomic_writer.h"
#include "volumes/atomic/payload.h"

namespace nodeagent::volumes {

class PayloadWriter {
 public:
  // Whether `dir` holds, from an immutable source described by `source_key`, what it held
  // when last written (then the caller need not read the objects again).
  bool immutable_up_to_date(const std::string& dir, const std::string& source_key) const;
  // Makes `dir` hold `payload`. `source_key` describes the volume source and `immutable` says
  // whether its objects are immutable (for immutable_up_to_date). `context` prefixes errors.
  [[nodiscard]] Status write(const std::string& dir, const std::string& context, const Payload& payload,
                             const VolumeOwnership& ownership, const std::string& source_key = "",
                             bool immutable = false);
  // Whether `dir` was written by this writer (and not forgotten since): its tmpfs, if any, is
  // mounted.
  bool written(const std::string& dir) const;
  // Forgets `dir` (torn down).
  void forget(const std::string& dir);

 private:
  struct Written {
    Payload payload;
    VolumeOwnership ownership;
    std::string source_key;
    bool immutable = false;
  };
  static bool still_there(const std::string& dir);
  mutable std::mutex mu_;  // plugins are shared by the pod workers
  std::map<std::string, Written> written_;
};

}  // namespace nodeagent::volumes
