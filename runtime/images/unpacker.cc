// Follows containerd 1.6's client-side unpack (image.go Unpack, rootfs/apply.go): snapshots are
// looked up by chain ID from the bottom, and only missing ones are applied, each on its parent.
#include "runtime/images/unpacker.h"

#include "util/log.h"

namespace nodeagent::runtime::images {

Status unpack_image(ImageStore& store, const StoreLease& lease, const ResolvedImage& image) {
  auto log = log::get("images");
  const auto& layers = image.parsed_manifest.layers;
  std::string parent;
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string& chain_id = image.chain_ids[i];
    const std::string& diff_id = image.config.diff_ids[i];
    NA_ASSIGN_OR_RETURN(bool exists, store.snapshot_exists(chain_id));
    if (!exists) {
      log->debug("applying layer {} ({} bytes) as snapshot {}", layers[i].digest, layers[i].size, chain_id);
      auto applied = store.apply_layer(lease, layers[i], parent, chain_id);
      if (!applied.ok()) return applied.error().wrap("unpack layer " + layers[i].digest);
      if (*applied != diff_id) {
        return invalid("unpack layer " + layers[i].digest + ": uncompressed digest " + *applied +
                       " does not match the config's diff_id " + diff_id);
      }
    }
    // Lets containerd's GC follow layer blob → uncompressed content, as its own unpacker does.
    NA_RETURN_IF_ERROR(store.set_content_labels(layers[i].digest, {{kUncompressedLabel, diff_id}}));
    parent = chain_id;
  }
  if (!parent.empty()) {
    NA_RETURN_IF_ERROR(store.set_content_labels(image.parsed_manifest.config.digest, {{snapshot_gc_label(), parent}}));
  }
  return ok_status();
}

}  // namespace nodeagent::runtime::images
