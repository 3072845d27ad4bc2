// Importing images from an OCI image layout (a directory with index.json and blobs/sha256/,
// as `umoci`, `skopeo copy oci-archive:` and `ctr export` produce) into containerd.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/result.h"
#include "runtime/images/image_store.h"
#include "runtime/images/puller.h"
#include "runtime/types.h"

namespace nodeagent::runtime::images {

inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";
inline constexpr const char* kContainerdNameAnnotation = "io.containerd.image.name";

// The image name for one entry of index.json. `annotations` are the entry's; `override_name`
// is the caller's name ("" for none); `entries` is how many entries index.json has.
//  - io.containerd.image.name, or a ref.name that is a whole reference ("x/y:t"), names the image;
//  - a ref.name that is only a tag ("latest") is applied to override_name's repository;
//  - with one entry, override_name wins (keeping the archive's tag if override_name has none).
// kInvalid when no name can be made.
Result<std::string> archive_image_name(const Labels& annotations, const std::string& override_name, size_t entries);

// Imports every image listed in `layout_dir`/index.json.
Result<std::vector<PulledImage>> import_layout(ImageStore& store, const std::filesystem::path& layout_dir,
                                               const std::string& override_name, const Platform& platform = host_platform());

}  // namespace nodeagent::runtime::images
