// runtime::ImageService for the agent: pulls from registries, imports OCI archives, and reads
// image state back from containerd. Logic over ImageStore + http::HttpClient, so it runs the same
// against containerd (containerd_image_service.h) and against fakes in unit tests.
#pragma once

#include <memory>

#include "util/http/http_client.h"
#include "runtime/images/image_store.h"
#include "runtime/images/registry_client.h"
#include "runtime/runtime.h"

namespace nodeagent::runtime::images {

struct ImageServiceOptions {
  RegistryOptions registry;
  // Which manifest of a multi-platform image to use; this machine's by default.
  Platform platform = host_platform();
};

class ImageServiceImpl : public ImageService {
 public:
  ImageServiceImpl(std::shared_ptr<ImageStore> store, std::shared_ptr<http::HttpClient> http, ImageServiceOptions options = {});

  // `ref` is a reference (normalised like docker) or an image ID ("sha256:<config digest>").
  Result<ImageInfo> image_status(const std::string& ref) override;
  Result<ImageInfo> pull_image(const std::string& ref, const RegistryAuth& auth) override;
  // One entry per image ID, with every name that points at it.
  Result<std::vector<ImageInfo>> list_images() override;
  // Removes every name of the image `ref` resolves to, like CRI's RemoveImage; ok when absent.
  // Containers using it keep their snapshots; containerd's GC removes the rest.
  Status remove_image(const std::string& ref) override;
  // An OCI image-layout tar (umoci, skopeo, ctr export) or a `docker save` tar.
  Result<std::vector<ImageInfo>> import_archive(const std::string& path, const std::string& name) override;

 private:
  struct Found {
    ImageRecord record;
    ImageInfo info;
  };
  // The image `ref` names; kNotFound when there is none.
  Result<Found> find(const std::string& ref);
  Result<ImageInfo> describe(const ImageRecord& record);
  // Adds the names of other records with the same target to `info`.
  Result<ImageInfo> with_all_names(ImageInfo info, const std::string& target_digest);

  std::shared_ptr<ImageStore> store_;
  std::shared_ptr<http::HttpClient> http_;
  RegistryClient registry_;
  Platform platform_;
};

}  // namespace nodeagent::runtime::images
