// SHA-256 content digests in OCI form ("sha256:<hex>"), over whole strings or streamed chunks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace nodeagent::runtime::images {

// "sha256:<64 hex>" of `data`.
std::string sha256_digest(std::string_view data);

// Incremental SHA-256 for blobs that are streamed and never held whole in memory.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::string_view chunk);
  // "sha256:<64 hex>" of everything seen so far; the stream must not be updated afterwards.
  std::string finish();
  int64_t bytes() const { return bytes_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  int64_t bytes_ = 0;
};

}  // namespace nodeagent::runtime::images
