// ImageStore over containerd's gRPC API (Content, Snapshots, Diff, Images, Leases), through
// the shared ctd::Connection. Snapshotter: overlayfs.
#pragma once

#include <memory>

#include "runtime/containerd/connection.h"
#include "runtime/images/image_store.h"

namespace nodeagent::runtime::images {

class ContainerdImageStore : public ImageStore {
 public:
  explicit ContainerdImageStore(std::shared_ptr<ctd::Connection> connection, std::string snapshotter = "overlayfs");

  Result<std::unique_ptr<StoreLease>> begin_lease() override;
  Result<std::optional<ContentInfo>> content_info(const std::string& digest) override;
  Result<std::string> read_content(const std::string& digest) override;
  Status write_content(const StoreLease& lease, const Descriptor& desc, const Labels& labels,
                       const BlobProducer& produce) override;
  Status set_content_labels(const std::string& digest, const Labels& labels) override;
  Result<bool> snapshot_exists(const std::string& chain_id) override;
  Result<std::string> apply_layer(const StoreLease& lease, const Descriptor& layer, const std::string& parent_chain_id,
                                  const std::string& chain_id) override;
  Result<std::optional<ImageRecord>> get_image(const std::string& name) override;
  Result<std::vector<ImageRecord>> list_images() override;
  Status put_image(const ImageRecord& image) override;
  Status delete_image(const std::string& name) override;

 private:
  std::shared_ptr<ctd::Connection> connection_;
  std::string snapshotter_;
};

}  // namespace nodeagent::runtime::images
