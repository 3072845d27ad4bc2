// Pulling an image from a registry into containerd: manifests, config and layers into the
// content store (skipping what containerd already has), layers unpacked into snapshots, and
// the image record created or moved to the new target.
#pragma once

#include "util/result.h"
#include "runtime/images/image_store.h"
#include "runtime/images/image_tree.h"
#include "runtime/images/reference.h"
#include "runtime/images/registry_client.h"
#include "runtime/types.h"

namespace nodeagent::runtime::images {

struct PulledImage {
  std::string name;  // the image record's name, ref.str()
  ResolvedImage image;
};

Result<PulledImage> pull_image(ImageStore& store, RegistryClient& registry, const ImageReference& ref,
                               const RegistryAuth& auth, const Platform& platform = host_platform());

}  // namespace nodeagent::runtime::images
