// An in-memory ImageStore: content with labels, snapshots with parents, image records. It
// checks what containerd would (expected digest on commit, parent snapshot exists) and counts
// writes and applies, so tests can see what a pull or import did.
#pragma once

#include <map>
#include <set>
#include <string>

#include "runtime/images/digest.h"
#include "runtime/images/image_store.h"

namespace nodeagent::runtime::images::testing {

class FakeImageStore : public ImageStore {
 public:
  struct Blob {
    std::string data;
    Labels labels;
  };
  struct Snapshot {
    std::string parent;
    std::string layer_digest;
  };

  class FakeLease : public StoreLease {
   public:
    explicit FakeLease(FakeImageStore& store) : store_(store), id_("lease-" + std::to_string(++store.leases_created)) {
      ++store_.leases_open;
    }
    ~FakeLease() override { --store_.leases_open; }
    const std::string& id() const override { return id_; }

   private:
    FakeImageStore& store_;
    std::string id_;
  };

  Result<std::unique_ptr<StoreLease>> begin_lease() override {
    return std::unique_ptr<StoreLease>(std::make_unique<FakeLease>(*this));
  }

  Result<std::optional<ContentInfo>> content_info(const std::string& digest) override {
    auto it = blobs.find(digest);
    if (it == blobs.end()) return std::optional<ContentInfo>();
    return std::optional<ContentInfo>(ContentInfo{digest, static_cast<int64_t>(it->second.data.size()), it->second.labels});
  }

  Result<std::string> read_content(const std::string& digest) override {
    auto it = blobs.find(digest);
    if (it == blobs.end()) return not_found("content " + digest + ": not found");
    return it->second.data;
  }

  Status write_content(const StoreLease&, const Descriptor& desc, const Labels& labels, const BlobProducer& produce) override {
    if (blobs.count(desc.digest)) {
      for (const auto& [k, v] : labels) blobs[desc.digest].labels[k] = v;
      return ok_status();
    }
    std::string data;
    NA_RETURN_IF_ERROR(produce([&data](std::string_view chunk) {
      data.append(chunk);
      return ok_status();
    }));
    if (sha256_digest(data) != desc.digest || static_cast<int64_t>(data.size()) != desc.size) {
      return Error{ErrorCode::kFailedPrecondition, "content " + desc.digest + ": unexpected commit digest"};
    }
    ++writes;
    blobs[desc.digest] = Blob{std::move(data), labels};
    return ok_status();
  }

  Status set_content_labels(const std::string& digest, const Labels& labels) override {
    auto it = blobs.find(digest);
    if (it == blobs.end()) return not_found("content " + digest + ": not found");
    for (const auto& [k, v] : labels) it->second.labels[k] = v;
    return ok_status();
  }

  Result<bool> snapshot_exists(const std::string& chain_id) override { return snapshots.count(chain_id) > 0; }

  // The "applied" digest is looked up in diff_ids_by_layer (tests set it; real containerd
  // decompresses the layer).
  Result<std::string> apply_layer(const StoreLease&, const Descriptor& layer, const std::string& parent,
                                  const std::string& chain_id) override {
    if (!parent.empty() && !snapshots.count(parent)) return not_found("snapshot " + parent + ": parent not found");
    if (!blobs.count(layer.digest)) return not_found("content " + layer.digest + ": not found");
    ++applies;
    snapshots[chain_id] = Snapshot{parent, layer.digest};
    return diff_ids_by_layer[layer.digest];
  }

  Result<std::optional<ImageRecord>> get_image(const std::string& name) override {
    auto it = images.find(name);
    if (it == images.end()) return std::optional<ImageRecord>();
    return std::optional<ImageRecord>(it->second);
  }

  Result<std::vector<ImageRecord>> list_images() override {
    std::vector<ImageRecord> out;
    for (const auto& [name, record] : images) out.push_back(record);
    return out;
  }

  Status put_image(const ImageRecord& image) override {
    images[image.name] = image;
    return ok_status();
  }

  Status delete_image(const std::string& name) override {
    if (!images.erase(name)) return not_found("image " + name + ": not found");
    return ok_status();
  }

  std::map<std::string, Blob> blobs;
  std::map<std::string, Snapshot> snapshots;
  std::map<std::string, ImageRecord> images;
  std::map<std::string, std::string> diff_ids_by_layer;
  int writes = 0;
  int applies = 0;
  int leases_created = 0;
  int leases_open = 0;
};

}  // namespace nodeagent::runtime::images::testing
