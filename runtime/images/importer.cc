// Same sequence as a pull (puller.cc), with blobs read from files instead of a registry; every
// document and blob is checked against its digest before containerd commits it.
#include "runtime/images/importer.h"

#include <fstream>
#include <sstream>

#include "util/log.h"
#include "runtime/images/digest.h"
#include "runtime/images/reference.h"
#include "runtime/images/unpacker.h"

namespace nodeagent::runtime::images {
namespace fs = std::filesystem;
namespace {

bool explicit_tag_or_digest(const std::string& name) {
  if (name.find('@') != std::string::npos) return true;
  auto colon = name.rfind(':');
  auto slash = name.rfind('/');
  return colon != std::string::npos && (slash == std::string::npos || colon > slash);
}

bool is_whole_reference(const std::string& ref_name) { return ref_name.find_first_of("/:@") != std::string::npos; }

fs::path blob_path(const fs::path& dir, const std::string& digest) {
  return dir / "blobs" / "sha256" / digest.substr(std::string("sha256:").size());
}

// Streams a blob file to `sink`, then checks size and digest; an error before the caller commits.
Status stream_blob(const fs::path& dir, const Descriptor& desc, const http::BodySink& sink) {
  fs::path path = blob_path(dir, desc.digest);
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("blob " + desc.digest + ": missing from archive (" + path.filename().string() + ")");
  Sha256Stream hasher;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::string_view chunk(buf.data(), static_cast<size_t>(in.gcount()));
    if (chunk.empty()) break;
    hasher.update(chunk);
    if (hasher.bytes() > desc.size) return invalid("blob " + desc.digest + ": larger than its descriptor's size " + std::to_string(desc.size));
    NA_RETURN_IF_ERROR(sink(chunk));
  }
  if (hasher.bytes() != desc.size) {
    return invalid("blob " + desc.digest + ": " + std::to_string(hasher.bytes()) + " bytes, descriptor says " + std::to_string(desc.size));
  }
  std::string got = hasher.finish();
  if (got != desc.digest) return invalid("blob " + desc.digest + ": content has digest " + got);
  return ok_status();
}

Result<std::string> read_blob(const fs::path& dir, const Descriptor& desc) {
  std::string body;
  NA_RETURN_IF_ERROR(stream_blob(dir, desc, [&body](std::string_view chunk) {
    body.append(chunk);
    return ok_status();
  }));
  return body;
}

Result<PulledImage> import_one(ImageStore& store, const StoreLease& lease, const fs::path& dir, const Descriptor& target,
                               const std::string& name, const Platform& platform) {
  auto log = log::get("images");
  DocumentFetcher fetch = [&dir](const Descriptor& desc) { return read_blob(dir, desc); };
  NA_ASSIGN_OR_RETURN(ResolvedImage image, resolve_image(target, fetch, platform));
  auto write_from_file = [&](const Descriptor& desc, const Labels& labels) {
    return store.write_content(lease, desc, labels, [&](const http::BodySink& sink) { return stream_blob(dir, desc, sink); });
  };
  const Manifest& manifest = image.parsed_manifest;
  NA_RETURN_IF_ERROR(write_from_file(manifest.config, {}));
  for (const auto& layer : manifest.layers) NA_RETURN_IF_ERROR(write_from_file(layer, {}));
  NA_RETURN_IF_ERROR(write_from_file(image.manifest, manifest_gc_labels(manifest)));
  if (image.target.digest != image.manifest.digest) {
    NA_ASSIGN_OR_RETURN(std::string index_body, read_blob(dir, image.target));
    NA_ASSIGN_OR_RETURN(Index index, parse_index(index_body));
    NA_RETURN_IF_ERROR(write_from_file(image.target, index_gc_labels(index)));
  }
  NA_RETURN_IF_ERROR(unpack_image(store, lease, image));
  NA_RETURN_IF_ERROR(store.put_image(ImageRecord{name, {}, image.target}));
  log->info("imported {} ({})", name, image.target.digest);
  return PulledImage{name, std::move(image)};
}

}  // namespace

Result<std::string> archive_image_name(const Labels& annotations, const std::string& override_name, size_t entries) {
  std::string whole;
  std::string tag;
  if (auto it = annotations.find(kContainerdNameAnnotation); it != annotations.end()) whole = it->second;
  if (auto it = annotations.find(kRefNameAnnotation); it != annotations.end()) {
    if (is_whole_reference(it->second)) {
      if (whole.empty()) whole = it->second;
    } else {
      tag = it->second;
    }
  }
  std::string chosen;
  if (!override_name.empty() && (entries == 1 || whole.empty())) {
    NA_ASSIGN_OR_RETURN(ImageReference ref, parse_reference(override_name));
    if (!explicit_tag_or_digest(override_name) && !tag.empty()) ref.tag = tag;
    if (entries > 1 && tag.empty()) {
      return invalid("archive entry without " + std::string(kRefNameAnnotation) + ": cannot name it from \"" +
                     override_name + "\" when the archive holds " + std::to_string(entries) + " images");
    }
    chosen = ref.str();
  } else if (!whole.empty()) {
    NA_ASSIGN_OR_RETURN(ImageReference ref, parse_reference(whole));
    chosen = ref.str();
  } else {
    return invalid(std::string("archive carries no image name (") + kRefNameAnnotation + " is " +
                   (tag.empty() ? "absent" : "only the tag \"" + tag + "\"") + "): a name must be given");
  }
  return chosen;
}

Result<std::vector<PulledImage>> import_layout(ImageStore& store, const fs::path& dir, const std::string& override_name,
                                               const Platform& platform) {
  std::ifstream in(dir / "index.json", std::ios::binary);
  if (!in) return invalid("no index.json: not an OCI image layout");
  std::stringstream text;
  text << in.rdbuf();
  auto index = parse_index(text.str());
  if (!index.ok()) return index.error().wrap("index.json");
  if (index->manifests.empty()) return invalid("index.json lists no images");

  // Names first, so a missing name fails before anything is written.
  std::vector<std::string> names;
  for (const auto& entry : index->manifests) {
    NA_ASSIGN_OR_RETURN(std::string name, archive_image_name(entry.annotations, override_name, index->manifests.size()));
    names.push_back(std::move(name));
  }
  NA_ASSIGN_OR_RETURN(auto lease, store.begin_lease());
  std::vector<PulledImage> out;
  for (size_t i = 0; i < names.size(); ++i) {
    auto imported = import_one(store, *lease, dir, index->manifests[i], names[i], platform);
    if (!imported.ok()) return imported.error().wrap("image " + names[i]);
    out.push_back(std::move(imported).value());
  }
  return out;
}

}  // namespace nodeagent::runtime::images
