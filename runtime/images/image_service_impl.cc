// ImageService operations composed from the puller, importer and image tree helpers.
#include "runtime/images/image_service_impl.h"

#include "util/log.h"
#include "runtime/images/docker_save.h"
#include "runtime/images/image_tree.h"
#include "runtime/images/importer.h"
#include "runtime/images/oci_archive.h"
#include "runtime/images/puller.h"
#include "runtime/images/reference.h"

namespace nodeagent::runtime::images {

ImageServiceImpl::ImageServiceImpl(std::shared_ptr<ImageStore> store, std::shared_ptr<http::HttpClient> http,
                                   ImageServiceOptions options)
    : store_(std::move(store)), http_(std::move(http)), registry_(*http_, std::move(options.registry)),
      platform_(std::move(options.platform)) {}

Result<ImageInfo> ImageServiceImpl::describe(const ImageRecord& record) {
  DocumentFetcher fetch = [this](const Descriptor& desc) { return store_->read_content(desc.digest); };
  auto resolved = resolve_image(record.target, fetch, platform_);
  if (!resolved.ok()) return resolved.error().wrap("image " + record.name);
  return describe_image(record.name, *resolved);
}

Result<ImageInfo> ImageServiceImpl::with_all_names(ImageInfo info, const std::string& target_digest) {
  NA_ASSIGN_OR_RETURN(auto records, store_->list_images());
  for (const auto& r : records) {
    if (r.target.digest == target_digest) add_image_name(info, r.name, target_digest);
  }
  return info;
}

Result<ImageServiceImpl::Found> ImageServiceImpl::find(const std::string& ref) {
  if (is_valid_digest(ref)) {
    // An image ID (config digest): the first record whose config it is.
    NA_ASSIGN_OR_RETURN(auto records, store_->list_images());
    for (const auto& r : records) {
      auto info = describe(r);
      if (info.ok() && info->id == ref) return Found{r, std::move(info).value()};
    }
    return not_found("image " + ref + ": not found");
  }
  NA_ASSIGN_OR_RETURN(ImageReference parsed, parse_reference(ref));
  NA_ASSIGN_OR_RETURN(auto record, store_->get_image(parsed.str()));
  if (!record && parsed.str() != ref) {
    // Records made by other clients (`ctr images import --base-name test/x`) keep short names.
    NA_ASSIGN_OR_RETURN(record, store_->get_image(ref));
  }
  if (!record) return not_found("image " + parsed.str() + ": not found");
  NA_ASSIGN_OR_RETURN(ImageInfo info, describe(*record));
  return Found{*record, std::move(info)};
}

Result<ImageInfo> ImageServiceImpl::image_status(const std::string& ref) {
  NA_ASSIGN_OR_RETURN(Found found, find(ref));
  return with_all_names(std::move(found.info), found.record.target.digest);
}

Result<ImageInfo> ImageServiceImpl::pull_image(const std::string& ref, const RegistryAuth& auth) {
  NA_ASSIGN_OR_RETURN(ImageReference parsed, parse_reference(ref));
  NA_ASSIGN_OR_RETURN(PulledImage pulled, images::pull_image(*store_, registry_, parsed, auth, platform_));
  return with_all_names(describe_image(pulled.name, pulled.image), pulled.image.target.digest);
}

Result<std::vector<ImageInfo>> ImageServiceImpl::list_images() {
  NA_ASSIGN_OR_RETURN(auto records, store_->list_images());
  std::vector<ImageInfo> infos;
  for (const auto& r : records) {
    auto info = describe(r);
    if (!info.ok()) {
      // Records made by others (another platform, content not fetched): not ours to report.
      log::get("images")->debug("list_images: skipping {}: {}", r.name, info.error().message);
      continue;
    }
    infos.push_back(std::move(info).value());
  }
  return merge_by_id(std::move(infos));
}

Status ImageServiceImpl::remove_image(const std::string& ref) {
  auto found = find(ref);
  if (!found.ok()) return found.error().code == ErrorCode::kNotFound ? ok_status() : Status(found.error());
  NA_ASSIGN_OR_RETURN(auto records, store_->list_images());
  for (const auto& r : records) {
    bool same_image = r.target.digest == found->record.target.digest;
    if (!same_image && r.name != found->record.name) {
      auto info = describe(r);
      same_image = info.ok() && info->id == found->info.id;
    }
    if (!same_image) continue;
    Status s = store_->delete_image(r.name);
    if (!s.ok() && s.error().code != ErrorCode::kNotFound) return s;
    log::get("images")->info("removed image {} ({})", r.name, found->info.id);
  }
  return ok_status();
}

Result<std::vector<ImageInfo>> ImageServiceImpl::import_archive(const std::string& path, const std::string& name) {
  NA_ASSIGN_OR_RETURN(TempDir dir, TempDir::create("nodeagent-import-"));
  NA_RETURN_IF_ERROR(extract_archive(path, dir.path()));
  if (is_docker_save_layout(dir.path())) {
    auto converted = convert_docker_save(dir.path());
    if (!converted.ok()) return converted.error().wrap("import " + path);
  }
  auto imported = import_layout(*store_, dir.path(), name, platform_);
  if (!imported.ok()) return imported.error().wrap("import " + path);
  std::vector<ImageInfo> out;
  for (const auto& image : *imported) {
    NA_ASSIGN_OR_RETURN(ImageInfo info, with_all_names(describe_image(image.name, image.image), image.image.target.digest));
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace nodeagent::runtime::images
