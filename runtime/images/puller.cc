// The pull sequence, under one lease so nothing is collected half-way:
//   1. resolve the reference to a manifest (through an index for the platform), keeping bytes;
//   2. write config and layers (streamed, digest-checked), then manifests with their gc labels;
//   3. unpack; 4. point the image record at the root descriptor; 5. release the lease.
#include "runtime/images/puller.h"

#include <map>

#include "util/log.h"
#include "runtime/images/unpacker.h"

namespace nodeagent::runtime::images {
namespace {

// Writes a document we already hold in memory (manifest, config).
Status write_document(ImageStore& store, const StoreLease& lease, const Descriptor& desc, const std::string& bytes,
                      const Labels& labels) {
  return store.write_content(lease, desc, labels, [&bytes](const http::BodySink& sink) { return sink(bytes); });
}

}  // namespace

Result<PulledImage> pull_image(ImageStore& store, RegistryClient& registry, const ImageReference& ref,
                               const RegistryAuth& auth, const Platform& platform) {
  auto log = log::get("images");
  const std::string name = ref.str();
  NA_ASSIGN_OR_RETURN(auto lease, store.begin_lease());

  // Step 1: documents by digest, fetched once and verified by the registry client.
  std::map<std::string, std::string> documents;
  NA_ASSIGN_OR_RETURN(FetchedManifest top, registry.fetch_manifest(ref, ref.manifest_reference(), auth));
  documents[top.descriptor.digest] = top.body;
  DocumentFetcher fetch = [&](const Descriptor& desc) -> Result<std::string> {
    if (auto it = documents.find(desc.digest); it != documents.end()) return it->second;
    std::string body;
    NA_ASSIGN_OR_RETURN(auto local, store.content_info(desc.digest));
    if (local) {
      // Already in containerd (an earlier pull): verified when it was committed.
      NA_ASSIGN_OR_RETURN(body, store.read_content(desc.digest));
    } else if (is_index_media_type(desc.media_type) || is_manifest_media_type(desc.media_type)) {
      NA_ASSIGN_OR_RETURN(FetchedManifest m, registry.fetch_manifest(ref, desc.digest, auth));
      body = std::move(m.body);
    } else {
      NA_ASSIGN_OR_RETURN(body, registry.fetch_blob_bytes(ref, desc, auth));
    }
    documents[desc.digest] = body;
    return body;
  };
  auto resolved = resolve_image(top.descriptor, fetch, platform);
  if (!resolved.ok()) return resolved.error().wrap("pull " + name);
  ResolvedImage& image = *resolved;

  // Step 2: leaves first, so that every gc.ref label points at content that exists.
  const Manifest& manifest = image.parsed_manifest;
  NA_RETURN_IF_ERROR(write_document(store, *lease, manifest.config, documents[manifest.config.digest], {}));
  for (const auto& layer : manifest.layers) {
    NA_ASSIGN_OR_RETURN(auto have, store.content_info(layer.digest));
    if (have) continue;
    log->info("pulling layer {} ({} bytes) of {}", layer.digest, layer.size, name);
    auto written = store.write_content(*lease, layer, {}, [&](const http::BodySink& sink) {
      return registry.fetch_blob(ref, layer, auth, sink);
    });
    if (!written.ok()) return written.error().wrap("pull " + name);
  }
  NA_RETURN_IF_ERROR(write_document(store, *lease, image.manifest, documents[image.manifest.digest],
                                    manifest_gc_labels(manifest)));
  if (image.target.digest != image.manifest.digest) {
    NA_ASSIGN_OR_RETURN(Index index, parse_index(documents[image.target.digest]));
    NA_RETURN_IF_ERROR(write_document(store, *lease, image.target, documents[image.target.digest], index_gc_labels(index)));
  }

  // Steps 3 and 4.
  auto unpacked = unpack_image(store, *lease, image);
  if (!unpacked.ok()) return unpacked.error().wrap("pull " + name);
  NA_RETURN_IF_ERROR(store.put_image(ImageRecord{name, {}, image.target}));
  log->info("pulled {} ({})", name, image.target.digest);
  return PulledImage{name, std::move(image)};
}

}  // namespace nodeagent::runtime::images
