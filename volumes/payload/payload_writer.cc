// PayloadWriter (see payload_writer.h).
#include "volumes/payload/payload_writer.h"

#include <sys/stat.h>

namespace nodeagent::volumes {

bool PayloadWriter::still_there(const std::string& dir) {
  struct stat st {};
  return ::lstat((dir + "/..data").c_str(), &st) == 0;
}

bool PayloadWriter::immutable_up_to_date(const std::string& dir, const std::string& source_key) const {
  {
    std::lock_guard lock(mu_);
    auto it = written_.find(dir);
    if (it == written_.end() || !it->second.immutable || it->second.source_key != source_key) return false;
  }
  return still_there(dir);
}

Status PayloadWriter::write(const std::string& dir, const std::string& context, const Payload& payload,
                            const VolumeOwnership& ownership, const std::string& source_key, bool immutable) {
  {
    std::lock_guard lock(mu_);
    auto it = written_.find(dir);
    if (it != written_.end() && it->second.payload == payload && it->second.ownership == ownership &&
        still_there(dir)) {
      it->second.source_key = source_key;
      it->second.immutable = immutable;
      return ok_status();
    }
  }
  // One writer per directory at a time: a pod's syncs are serialised by its worker.
  auto wrote = AtomicWriter(dir, context).write(payload, ownership);
  if (!wrote.ok()) return wrote.error();
  std::lock_guard lock(mu_);
  written_[dir] = Written{payload, ownership, source_key, immutable};
  return ok_status();
}

bool PayloadWriter::written(const std::string& dir) const {
  std::lock_guard lock(mu_);
  return written_.count(dir) > 0;
}

void PayloadWriter::forget(const std::string& dir) {
  std::lock_guard lock(mu_);
  written_.erase(dir);
}

}  // namespace nodeagent::volumes
