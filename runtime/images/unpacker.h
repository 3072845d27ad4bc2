// Unpacking an image's layers into overlayfs snapshots named by chain ID, and labelling the
// content so containerd's garbage collector keeps layers, config and snapshots alive for as
// long as the image record exists. Works through ImageStore only.
#pragma once

#include "util/result.h"
#include "runtime/images/image_store.h"
#include "runtime/images/image_tree.h"

namespace nodeagent::runtime::images {

// Applies each layer whose snapshot is missing (checking the applied digest against the
// config's diff_id), labels layers with containerd.io/uncompressed, and the config with
// containerd.io/gc.ref.snapshot.overlayfs = top chain ID. Idempotent.
Status unpack_image(ImageStore& store, const StoreLease& lease, const ResolvedImage& image);

}  // namespace nodeagent::runtime::images
