// Pure functions over image documents; the only I/O is through the caller's fetcher.
#include "runtime/images/image_tree.h"

#include <algorithm>
#include <map>

#include "runtime/images/reference.h"

namespace nodeagent::runtime::images {

std::string snapshot_gc_label(const std::string& snapshotter) { return "containerd.io/gc.ref.snapshot." + snapshotter; }

Labels index_gc_labels(const Index& index) {
  Labels out;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    out["containerd.io/gc.ref.content.m." + std::to_string(i)] = index.manifests[i].digest;
  }
  return out;
}

Labels manifest_gc_labels(const Manifest& manifest) {
  Labels out{{"containerd.io/gc.ref.content.config", manifest.config.digest}};
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    out["containerd.io/gc.ref.content.l." + std::to_string(i)] = manifest.layers[i].digest;
  }
  return out;
}

Result<ResolvedImage> resolve_image(const Descriptor& target, const DocumentFetcher& fetch, const Platform& platform) {
  ResolvedImage out;
  out.target = target;
  out.manifest = target;
  NA_ASSIGN_OR_RETURN(std::string body, fetch(target));
  NA_ASSIGN_OR_RETURN(std::string type, detect_media_type(body));
  if (is_index_media_type(type)) {
    NA_ASSIGN_OR_RETURN(Index index, parse_index(body));
    NA_ASSIGN_OR_RETURN(out.manifest, select_platform(index, platform.os, platform.architecture));
    NA_ASSIGN_OR_RETURN(body, fetch(out.manifest));
    NA_ASSIGN_OR_RETURN(type, detect_media_type(body));
    if (!is_manifest_media_type(type)) return invalid("manifest " + out.manifest.digest + ": nested image index not supported");
  }
  if (out.manifest.media_type.empty()) out.manifest.media_type = type;
  auto manifest = parse_manifest(body);
  if (!manifest.ok()) return manifest.error().wrap("manifest " + out.manifest.digest);
  out.parsed_manifest = std::move(manifest).value();

  NA_ASSIGN_OR_RETURN(std::string config_body, fetch(out.parsed_manifest.config));
  auto config = parse_config(config_body);
  if (!config.ok()) return config.error().wrap("config " + out.parsed_manifest.config.digest);
  out.config = std::move(config).value();
  if (out.config.diff_ids.size() != out.parsed_manifest.layers.size()) {
    return invalid("manifest " + out.manifest.digest + ": " + std::to_string(out.parsed_manifest.layers.size()) +
                   " layers but config has " + std::to_string(out.config.diff_ids.size()) + " diff_ids");
  }
  out.chain_ids = chain_ids(out.config.diff_ids);
  return out;
}

ImageInfo describe_image(const std::string& name, const ResolvedImage& image) {
  ImageInfo info;
  info.id = image.parsed_manifest.config.digest;
  add_image_name(info, name, image.target.digest);
  for (const auto& layer : image.parsed_manifest.layers) info.size += layer.size;
  info.chain_id = image.chain_ids.empty() ? "" : image.chain_ids.back();
  info.config = image.config.config;
  return info;
}

void add_image_name(ImageInfo& info, const std::string& name, const std::string& target_digest) {
  auto add_unique = [](std::vector<std::string>& to, const std::string& s) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  };
  auto ref = parse_reference(name);
  if (!ref.ok()) {
    add_unique(info.repo_tags, name);  // a record someone else created with an unusual name
    return;
  }
  if (!ref->tag.empty() && ref->digest.empty()) add_unique(info.repo_tags, ref->tagged());
  add_unique(info.repo_digests, ref->repository() + "@" + target_digest);
}

std::vector<ImageInfo> merge_by_id(std::vector<ImageInfo> infos) {
  std::vector<ImageInfo> out;
  std::map<std::string, size_t> position;
  auto add_unique = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    for (const auto& s : from) {
      if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
    }
  };
  for (auto& info : infos) {
    auto it = position.find(info.id);
    if (it == position.end()) {
      position[info.id] = out.size();
      out.push_back(std::move(info));
    } else {
      add_unique(out[it->second].repo_tags, info.repo_tags);
      add_unique(out[it->second].repo_digests, info.repo_digests);
    }
  }
  return out;
}

}  // namespace nodeagent::runtime::images
