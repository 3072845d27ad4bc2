// The containerd calls behind ImageStore. Content.Write follows containerd's own remote writer
// (content/proxy): STAT opens the ingest, WRITE messages carry data at offsets, COMMIT checks
// the expected digest and size; every message is answered before the next is sent.
#include "runtime/images/containerd_image_store.h"

#include <atomic>
#include <random>

#include <fmt/format.h>
#include <unistd.h>

#include "util/log.h"

namespace nodeagent::runtime::images {
namespace {

namespace api = ctd::api;
using ::containerd::types::Descriptor;

constexpr size_t kWriteChunk = 1 << 20;
// Layers can be large and Diff.Apply is disk-bound: these calls get far more than the default.
constexpr std::chrono::minutes kTransferTimeout{30};

std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", ::getpid(), counter++, rd());
}

class ContainerdLease : public StoreLease {
 public:
  explicit ContainerdLease(ctd::Lease lease) : lease_(std::move(lease)) {}
  const std::string& id() const override { return lease_.id(); }

 private:
  ctd::Lease lease_;
};

::containerd::types::Descriptor to_proto(const images::Descriptor& d) {
  ::containerd::types::Descriptor out;
  out.set_media_type(d.media_type);
  out.set_digest(d.digest);
  out.set_size(d.size);
  for (const auto& [k, v] : d.annotations) (*out.mutable_annotations())[k] = v;
  return out;
}

images::Descriptor from_proto(const ::containerd::types::Descriptor& d) {
  images::Descriptor out;
  out.media_type = d.media_type();
  out.digest = d.digest();
  out.size = d.size();
  for (const auto& [k, v] : d.annotations()) out.annotations[k] = v;
  return out;
}

ImageRecord from_proto(const api::images::Image& image) {
  ImageRecord out;
  out.name = image.name();
  for (const auto& [k, v] : image.labels()) out.labels[k] = v;
  out.target = from_proto(image.target());
  return out;
}

// One Content.Write stream: open, write chunks, commit, and abort on any failure.
class ContentWriter {
 public:
  ContentWriter(ctd::Connection& conn, const std::string& lease_id, const images::Descriptor& desc)
      : conn_(conn), desc_(desc), ref_("nodeagent-" + desc.digest + "-" + unique_suffix()),
        ctx_(conn.lease_context(lease_id, kTransferTimeout)), stream_(conn.content().Write(ctx_.get())) {}

  ~ContentWriter() {
    if (committed_) return;
    ctx_->TryCancel();
    finish().ok();  // status of a cancelled stream is of no interest
    api::content::AbortRequest req;
    req.set_ref(ref_);
    google::protobuf::Empty empty;
    auto ctx = conn_.context();
    conn_.content().Abort(ctx.get(), req, &empty).ok();  // nothing to abort when the write never began
  }

  // kAlreadyExists when containerd has the blob already.
  Status open() {
    api::content::WriteContentRequest req;
    req.set_action(api::content::STAT);
    req.set_ref(ref_);
    req.set_total(desc_.size);
    req.set_expected(desc_.digest);
    // A fresh ref never has a partial ingest to resume, so writing starts at offset 0.
    NA_RETURN_IF_ERROR(exchange(req));
    return ok_status();
  }

  Status write(std::string_view chunk) {
    while (!chunk.empty()) {
      size_t n = std::min(chunk.size(), kWriteChunk);
      api::content::WriteContentRequest req;
      req.set_action(api::content::WRITE);
      req.set_ref(ref_);
      req.set_offset(offset_);
      req.set_data(chunk.data(), n);
      NA_RETURN_IF_ERROR(exchange(req));
      offset_ += static_cast<int64_t>(n);
      chunk.remove_prefix(n);
    }
    return ok_status();
  }

  Status commit(const Labels& labels) {
    api::content::WriteContentRequest req;
    req.set_action(api::content::COMMIT);
    req.set_ref(ref_);
    req.set_offset(offset_);
    req.set_total(desc_.size);
    req.set_expected(desc_.digest);
    for (const auto& [k, v] : labels) (*req.mutable_labels())[k] = v;
    NA_ASSIGN_OR_RETURN(auto resp, exchange(req));
    committed_ = true;
    NA_RETURN_IF_ERROR(ctd::check_grpc(finish(), "content " + desc_.digest + ": write"));
    if (resp.digest() != desc_.digest) {
      return invalid("content " + desc_.digest + ": containerd committed digest " + resp.digest());
    }
    return ok_status();
  }

 private:
  Result<api::content::WriteContentResponse> exchange(const api::content::WriteContentRequest& req) {
    api::content::WriteContentResponse resp;
    if (!stream_->Write(req) || !stream_->Read(&resp)) {
      committed_ = true;  // the stream is dead: Finish() tells why, and there is nothing to cancel
      grpc::Status s = finish();
      api::content::AbortRequest abort;
      abort.set_ref(ref_);
      google::protobuf::Empty empty;
      auto ctx = conn_.context();
      conn_.content().Abort(ctx.get(), abort, &empty).ok();  // best effort; the ingest may not exist
      if (s.ok()) return unavailable("content " + desc_.digest + ": write stream closed");
      return ctd::from_grpc(s, "content " + desc_.digest + ": write");
    }
    return resp;
  }

  // containerd ends the stream itself (after a commit or an error). gRPC's Finish() blocks
  // forever unless every message has been read, so drain to end-of-stream first.
  grpc::Status finish() {
    api::content::WriteContentResponse ignored;
    while (stream_->Read(&ignored)) {
    }
    return stream_->Finish();
  }

  ctd::Connection& conn_;
  images::Descriptor desc_;
  std::string ref_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<api::content::WriteContentRequest, api::content::WriteContentResponse>> stream_;
  int64_t offset_ = 0;
  bool committed_ = false;
};

}  // namespace

ContainerdImageStore::ContainerdImageStore(std::shared_ptr<ctd::Connection> connection, std::string snapshotter)
    : connection_(std::move(connection)), snapshotter_(std::move(snapshotter)) {}

Result<std::unique_ptr<StoreLease>> ContainerdImageStore::begin_lease() {
  NA_ASSIGN_OR_RETURN(ctd::Lease lease, ctd::Lease::create(connection_));
  return std::unique_ptr<StoreLease>(std::make_unique<ContainerdLease>(std::move(lease)));
}

Result<std::optional<ContentInfo>> ContainerdImageStore::content_info(const std::string& digest) {
  api::content::InfoRequest req;
  req.set_digest(digest);
  api::content::InfoResponse resp;
  auto ctx = connection_->context();
  grpc::Status s = connection_->content().Info(ctx.get(), req, &resp);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<ContentInfo>();
  if (!s.ok()) return ctd::from_grpc(s, "content " + digest + ": info");
  ContentInfo info{resp.info().digest(), resp.info().size(), {}};
  for (const auto& [k, v] : resp.info().labels()) info.labels[k] = v;
  return std::optional<ContentInfo>(std::move(info));
}

Result<std::string> ContainerdImageStore::read_content(const std::string& digest) {
  api::content::ReadContentRequest req;
  req.set_digest(digest);
  auto ctx = connection_->context();
  auto reader = connection_->content().Read(ctx.get(), req);
  std::string out;
  api::content::ReadContentResponse resp;
  while (reader->Read(&resp)) out += resp.data();
  NA_RETURN_IF_ERROR(ctd::check_grpc(reader->Finish(), "content " + digest + ": read"));
  return out;
}

Status ContainerdImageStore::write_content(const StoreLease& lease, const images::Descriptor& desc, const Labels& labels,
                                           const BlobProducer& produce) {
  ContentWriter writer(*connection_, lease.id(), desc);
  Status opened = writer.open();
  if (!opened.ok() && opened.error().code == ErrorCode::kAlreadyExists) {
    // Content is shared between images: still make sure this image's gc labels are on it.
    return labels.empty() ? ok_status() : set_content_labels(desc.digest, labels);
  }
  NA_RETURN_IF_ERROR(opened);
  NA_RETURN_IF_ERROR(produce([&writer](std::string_view chunk) { return writer.write(chunk); }));
  Status committed = writer.commit(labels);
  if (!committed.ok() && committed.error().code == ErrorCode::kAlreadyExists) {
    return labels.empty() ? ok_status() : set_content_labels(desc.digest, labels);  // a concurrent writer won
  }
  return committed;
}

Status ContainerdImageStore::set_content_labels(const std::string& digest, const Labels& labels) {
  api::content::UpdateRequest req;
  req.mutable_info()->set_digest(digest);
  for (const auto& [k, v] : labels) {
    (*req.mutable_info()->mutable_labels())[k] = v;
    req.mutable_update_mask()->add_paths("labels." + k);
  }
  api::content::UpdateResponse resp;
  auto ctx = connection_->context();
  return ctd::check_grpc(connection_->content().Update(ctx.get(), req, &resp), "content " + digest + ": update labels");
}

Result<bool> ContainerdImageStore::snapshot_exists(const std::string& chain_id) {
  api::snapshots::StatSnapshotRequest req;
  req.set_snapshotter(snapshotter_);
  req.set_key(chain_id);
  api::snapshots::StatSnapshotResponse resp;
  auto ctx = connection_->context();
  grpc::Status s = connection_->snapshots().Stat(ctx.get(), req, &resp);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
  if (!s.ok()) return ctd::from_grpc(s, "snapshot " + chain_id + ": stat");
  return true;
}

Result<std::string> ContainerdImageStore::apply_layer(const StoreLease& lease, const images::Descriptor& layer,
                                                      const std::string& parent_chain_id, const std::string& chain_id) {
  // The same key shape as containerd's unpacker: unique, and naming what it becomes.
  const std::string key = "extract-" + unique_suffix() + " " + chain_id;
  api::snapshots::PrepareSnapshotRequest prepare;
  prepare.set_snapshotter(snapshotter_);
  prepare.set_key(key);
  prepare.set_parent(parent_chain_id);
  api::snapshots::PrepareSnapshotResponse prepared;
  {
    auto ctx = connection_->lease_context(lease.id());
    NA_RETURN_IF_ERROR(ctd::check_grpc(connection_->snapshots().Prepare(ctx.get(), prepare, &prepared),
                                       "snapshot " + chain_id + ": prepare on " + (parent_chain_id.empty() ? "nothing" : parent_chain_id)));
  }
  // Removes the active snapshot unless it was committed.
  struct ActiveGuard {
    ContainerdImageStore* store;
    ctd::Connection& conn;
    std::string key;
    bool keep = false;
    ~ActiveGuard() {
      if (keep) return;
      api::snapshots::RemoveSnapshotRequest req;
      req.set_snapshotter(store->snapshotter_);
      req.set_key(key);
      google::protobuf::Empty empty;
      auto ctx = conn.context();
      Status s = ctd::check_grpc(conn.snapshots().Remove(ctx.get(), req, &empty), "snapshot " + key + ": remove");
      if (!s.ok()) log::get("images")->warn("{}", s.error().message);
    }
  } guard{this, *connection_, key};

  api::diff::ApplyRequest apply;
  *apply.mutable_diff() = to_proto(layer);
  for (const auto& m : prepared.mounts()) *apply.add_mounts() = m;
  api::diff::ApplyResponse applied;
  {
    auto ctx = connection_->lease_context(lease.id(), kTransferTimeout);
    NA_RETURN_IF_ERROR(ctd::check_grpc(connection_->diff().Apply(ctx.get(), apply, &applied), "layer " + layer.digest + ": apply"));
  }

  api::snapshots::CommitSnapshotRequest commit;
  commit.set_snapshotter(snapshotter_);
  commit.set_name(chain_id);
  commit.set_key(key);
  google::protobuf::Empty empty;
  auto ctx = connection_->lease_context(lease.id());
  grpc::Status s = connection_->snapshots().Commit(ctx.get(), commit, &empty);
  if (s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {  // a concurrent unpack committed it first
    NA_RETURN_IF_ERROR(ctd::check_grpc(s, "snapshot " + chain_id + ": commit"));
    guard.keep = true;
  }
  return applied.applied().digest();
}

Result<std::optional<ImageRecord>> ContainerdImageStore::get_image(const std::string& name) {
  api::images::GetImageRequest req;
  req.set_name(name);
  api::images::GetImageResponse resp;
  auto ctx = connection_->context();
  grpc::Status s = connection_->images().Get(ctx.get(), req, &resp);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<ImageRecord>();
  if (!s.ok()) return ctd::from_grpc(s, "image " + name + ": get");
  return std::optional<ImageRecord>(from_proto(resp.image()));
}

Result<std::vector<ImageRecord>> ContainerdImageStore::list_images() {
  api::images::ListImagesRequest req;
  api::images::ListImagesResponse resp;
  auto ctx = connection_->context();
  NA_RETURN_IF_ERROR(ctd::check_grpc(connection_->images().List(ctx.get(), req, &resp), "images: list"));
  std::vector<ImageRecord> out;
  for (const auto& image : resp.images()) out.push_back(from_proto(image));
  return out;
}

Status ContainerdImageStore::put_image(const ImageRecord& image) {
  api::images::Image proto;
  proto.set_name(image.name);
  for (const auto& [k, v] : image.labels) (*proto.mutable_labels())[k] = v;
  *proto.mutable_target() = to_proto(image.target);
  {
    api::images::CreateImageRequest req;
    *req.mutable_image() = proto;
    api::images::CreateImageResponse resp;
    auto ctx = connection_->context();
    grpc::Status s = connection_->images().Create(ctx.get(), req, &resp);
    if (s.error_code() != grpc::StatusCode::ALREADY_EXISTS) return ctd::check_grpc(s, "image " + image.name + ": create");
  }
  api::images::UpdateImageRequest req;
  *req.mutable_image() = proto;
  req.mutable_update_mask()->add_paths("target");
  req.mutable_update_mask()->add_paths("labels");
  api::images::UpdateImageResponse resp;
  auto ctx = connection_->context();
  return ctd::check_grpc(connection_->images().Update(ctx.get(), req, &resp), "image " + image.name + ": update");
}

Status ContainerdImageStore::delete_image(const std::string& name) {
  api::images::DeleteImageRequest req;
  req.set_name(name);
  google::protobuf::Empty empty;
  auto ctx = connection_->context();
  return ctd::check_grpc(connection_->images().Delete(ctx.get(), req, &empty), "image " + name + ": delete");
}

}  // namespace nodeagent::runtime::images
