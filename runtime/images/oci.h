// The OCI image format (and Docker's schema 2, which has the same shape): descriptors, image
// indexes / manifest lists, manifests, image configs, and the chain IDs that name unpacked
// layers. Parsing only; every function here is pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/result.h"
#include "runtime/types.h"

namespace nodeagent::runtime::images {

namespace media_type {
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}  // namespace media_type

bool is_index_media_type(const std::string& media_type);
bool is_manifest_media_type(const std::string& media_type);
// The Accept header value for manifest requests: all four index/manifest types.
std::string manifest_accept_header();

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
};

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  Labels annotations;
  std::optional<Platform> platform;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

// The parts of the image config ("application/vnd.oci.image.config.v1+json") the agent uses.
struct ConfigFile {
  std::string os;
  std::string architecture;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids: digests of the uncompressed layers
  ImageConfig config;
};

// Which kind of document `json` is, from its mediaType or, when absent, from its fields
// ("manifests" → index, "layers" → manifest). kInvalid when it is neither.
Result<std::string> detect_media_type(const std::string& json);

Result<Index> parse_index(const std::string& json);
Result<Manifest> parse_manifest(const std::string& json);
Result<ConfigFile> parse_config(const std::string& json);

// The manifest of an index for os/architecture (linux/amd64 by default), as containerd's
// platform matcher would choose it: an exact variant match wins, else the first os/arch match.
// kNotFound naming the platform and the platforms on offer when nothing matches.
Result<Descriptor> select_platform(const Index& index, const std::string& os = "linux",
                                   const std::string& architecture = "amd64");

// The platform of this machine in OCI terms (uname machine → GOARCH: x86_64 → amd64,
// aarch64 → arm64, armv7l → arm/v7), os "linux".
Platform host_platform();

// Chain IDs of a layer stack: chain[0] = diff_ids[0], chain[n] = sha256(chain[n-1] + " " + diff_ids[n]).
std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids);

}  // namespace nodeagent::runtime::images
