// Docker's legacy save format: manifest.json is [{"Config": "<hex>.json", "RepoTags": [...],
// "Layers": ["<id>/layer.tar", ...]}]. Layers are uncompressed tars, which Diff.Apply takes as
// application/vnd.docker.image.rootfs.diff.tar; their digests are the config's diff_ids.
#include "runtime/images/docker_save.h"

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/images/digest.h"
#include "runtime/images/importer.h"
#include "runtime/images/oci.h"

namespace nodeagent::runtime::images {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;
constexpr const char* kDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

// Digest and size of a file, streamed.
Result<std::pair<std::string, int64_t>> digest_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid("manifest.json names " + path.filename().string() + ", which is not in the archive");
  Sha256Stream hasher;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    hasher.update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  int64_t size = hasher.bytes();
  return std::make_pair(hasher.finish(), size);
}

// Moves `rel` (relative to dir, checked not to escape it) into blobs/sha256; returns its descriptor.
Result<Descriptor> to_blob(const fs::path& dir, const std::string& rel, const std::string& media_type) {
  fs::path normal = fs::path(rel).lexically_normal();
  if (normal.is_absolute() || normal.empty() || *normal.begin() == "..") return invalid("manifest.json: bad path \"" + rel + "\"");
  fs::path src = dir / normal;
  NA_ASSIGN_OR_RETURN(auto digest_size, digest_file(src));
  fs::path dst = dir / "blobs" / "sha256" / digest_size.first.substr(7);
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  if (!fs::exists(dst)) fs::rename(src, dst, ec);
  if (ec) return internal("moving " + rel + " into blobs: " + ec.message());
  return Descriptor{media_type, digest_size.first, digest_size.second, {}, {}};
}

Status write_blob(const fs::path& dir, const std::string& bytes, const std::string& digest) {
  std::ofstream out(dir / "blobs" / "sha256" / digest.substr(7), std::ios::binary);
  out << bytes;
  return out.flush() ? ok_status() : internal("writing blob " + digest + " failed");
}

json descriptor_json(const Descriptor& d) { return json{{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}}; }

}  // namespace

bool is_docker_save_layout(const fs::path& dir) {
  return !fs::exists(dir / "index.json") && fs::exists(dir / "manifest.json");
}

Status convert_docker_save(const fs::path& dir) {
  std::ifstream in(dir / "manifest.json");
  std::stringstream text;
  text << in.rdbuf();
  json entries = json::parse(text.str(), nullptr, false);
  if (!entries.is_array() || entries.empty()) return invalid("manifest.json: not a non-empty list");

  json index = {{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", json::array()}};
  std::map<std::string, Descriptor> moved;  // file → blob, since entries can share layers
  for (size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const std::string where = "manifest.json[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("Config") || !e["Config"].is_string() || !e.contains("Layers") || !e["Layers"].is_array()) {
      return invalid(where + ": needs Config and Layers");
    }
    auto blob = [&](const std::string& rel, const char* type) -> Result<Descriptor> {
      if (auto it = moved.find(rel); it != moved.end()) return it->second;
      NA_ASSIGN_OR_RETURN(Descriptor d, to_blob(dir, rel, type));
      moved[rel] = d;
      return d;
    };
    NA_ASSIGN_OR_RETURN(Descriptor config, blob(e["Config"].get<std::string>(), media_type::kDockerConfig));
    json layers = json::array();
    for (const auto& layer : e["Layers"]) {
      if (!layer.is_string()) return invalid(where + ".Layers: not a list of paths");
      NA_ASSIGN_OR_RETURN(Descriptor d, blob(layer.get<std::string>(), kDockerLayerTar));
      layers.push_back(descriptor_json(d));
    }
    std::string manifest = json{{"schemaVersion", 2}, {"mediaType", media_type::kDockerManifest},
                                {"config", descriptor_json(config)}, {"layers", layers}}
                               .dump();
    Descriptor m{media_type::kDockerManifest, sha256_digest(manifest), static_cast<int64_t>(manifest.size()), {}, {}};
    NA_RETURN_IF_ERROR(write_blob(dir, manifest, m.digest));

    std::vector<std::string> tags;
    if (e.contains("RepoTags") && e["RepoTags"].is_array()) {
      for (const auto& t : e["RepoTags"]) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    if (tags.empty()) tags.push_back("");  // unnamed: the import needs a name
    for (const auto& tag : tags) {
      json entry = descriptor_json(m);
      if (!tag.empty()) entry["annotations"] = {{kContainerdNameAnnotation, tag}};
      index["manifests"].push_back(entry);
    }
  }
  std::ofstream out(dir / "index.json");
  out << index.dump();
  return out.flush() ? ok_status() : internal("writing index.json failed");
}

}  // namespace nodeagent::runtime::images
