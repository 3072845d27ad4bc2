// What the image code needs from containerd — content, snapshots, image records, leases — as
// one small interface, so pulling, importing, unpacking and status logic can be unit-tested
// with an in-memory fake. containerd_image_store.h implements it over containerd's gRPC API.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/http/http_client.h"
#include "runtime/images/oci.h"
#include "runtime/types.h"

namespace nodeagent::runtime::images {

struct ContentInfo {
  std::string digest;
  int64_t size = 0;
  Labels labels;
};

// An image record: a name pointing at a root descriptor (index or manifest).
struct ImageRecord {
  std::string name;
  Labels labels;
  Descriptor target;
};

// Holds what is created under it (content, snapshots) until it is released or destroyed.
class StoreLease {
 public:
  virtual ~StoreLease() = default;
  virtual const std::string& id() const = 0;
};

// Produces a blob's bytes into the sink it is given (from a registry, a file, ...).
using BlobProducer = std::function<Status(const http::BodySink& sink)>;

class ImageStore {
 public:
  virtual ~ImageStore() = default;

  virtual Result<std::unique_ptr<StoreLease>> begin_lease() = 0;

  // std::nullopt when containerd does not have the blob (fully committed).
  virtual Result<std::optional<ContentInfo>> content_info(const std::string& digest) = 0;
  // The whole blob; meant for manifests and configs, not layers.
  virtual Result<std::string> read_content(const std::string& digest) = 0;
  // Streams a blob in under `lease` and commits it with desc.digest/desc.size as the expected
  // values (containerd re-verifies) and `labels`. Already present → ok, nothing written.
  virtual Status write_content(const StoreLease& lease, const Descriptor& desc, const Labels& labels,
                               const BlobProducer& produce) = 0;
  // Sets (adds or replaces) these labels on a blob, leaving its other labels alone.
  virtual Status set_content_labels(const std::string& digest, const Labels& labels) = 0;

  virtual Result<bool> snapshot_exists(const std::string& chain_id) = 0;
  // Unpacks one layer on top of `parent_chain_id` ("" for the first) into a committed snapshot
  // named `chain_id`: Prepare → Diff.Apply → Commit. Returns the digest of the uncompressed
  // layer as applied (its diff ID), for the caller to check against the config.
  virtual Result<std::string> apply_layer(const StoreLease& lease, const Descriptor& layer,
                                          const std::string& parent_chain_id, const std::string& chain_id) = 0;

  // std::nullopt when there is no image of that name.
  virtual Result<std::optional<ImageRecord>> get_image(const std::string& name) = 0;
  virtual Result<std::vector<ImageRecord>> list_images() = 0;
  // Creates the record, or updates its target and labels when one of that name exists.
  virtual Status put_image(const ImageRecord& image) = 0;
  // kNotFound when there is no image of that name.
  virtual Status delete_image(const std::string& name) = 0;
};

}  // namespace nodeagent::runtime::images
