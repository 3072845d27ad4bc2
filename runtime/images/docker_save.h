// `docker save` archives (manifest.json + <config>.json + <id>/layer.tar, no index.json) turned
// into an OCI image layout in place, so the OCI importer handles both formats.
#pragma once

#include <filesystem>

#include "util/result.h"

namespace nodeagent::runtime::images {

// True when `dir` holds a docker-save manifest.json and no OCI index.json.
bool is_docker_save_layout(const std::filesystem::path& dir);

// Moves config and layer files to blobs/sha256/<digest>, writes a Docker schema 2 manifest per
// manifest.json entry, and an index.json naming each RepoTags entry (io.containerd.image.name).
// Entries without RepoTags get only org.opencontainers.image.ref.name-less entries (a name must
// then be given to the import).
Status convert_docker_save(const std::filesystem::path& dir);

}  // namespace nodeagent::runtime::images
