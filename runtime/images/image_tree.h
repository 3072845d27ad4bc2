// Walking an image from its root descriptor to the manifest for this platform and its config,
// the garbage-collection labels that tie the tree together the way containerd sets them, and
// turning a resolved image into the ImageInfo the agent reports.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"
#include "runtime/images/image_store.h"
#include "runtime/images/oci.h"
#include "runtime/types.h"

namespace nodeagent::runtime::images {

inline constexpr const char* kSnapshotter = "overlayfs";
inline constexpr const char* kUncompressedLabel = "containerd.io/uncompressed";
// "containerd.io/gc.ref.snapshot.overlayfs": on the config, names the top snapshot.
std::string snapshot_gc_label(const std::string& snapshotter = kSnapshotter);

// Labels containerd puts on an index (gc.ref.content.m.<i>) or a manifest
// (gc.ref.content.config, gc.ref.content.l.<i>) so that its children outlive any lease.
Labels index_gc_labels(const Index& index);
Labels manifest_gc_labels(const Manifest& manifest);

struct ResolvedImage {
  Descriptor target;    // what the image record points at (index or manifest)
  Descriptor manifest;  // the manifest for the platform (== target when target is a manifest)
  Manifest parsed_manifest;
  ConfigFile config;
  std::vector<std::string> chain_ids;  // per layer, from config.diff_ids
};

// Reads the manifest (choosing this platform's from an index) and the config through `fetch`, and
// checks that layers and diff_ids agree. `fetch` returns a blob's bytes given its descriptor.
using DocumentFetcher = std::function<Result<std::string>(const Descriptor&)>;
// Indexes are resolved for `platform`'s os/architecture.
Result<ResolvedImage> resolve_image(const Descriptor& target, const DocumentFetcher& fetch,
                                    const Platform& platform = host_platform());

// ImageInfo for one image record (repo_tags/repo_digests from its name).
ImageInfo describe_image(const std::string& name, const ResolvedImage& image);

// Adds "repo:tag" (when `name` has a tag) and "repo@<target digest>" to info's names, once each.
void add_image_name(ImageInfo& info, const std::string& name, const std::string& target_digest);

// Merges infos that share an image ID (several names for one image), like CRI's ListImages.
std::vector<ImageInfo> merge_by_id(std::vector<ImageInfo> infos);

}  // namespace nodeagent::runtime::images
