// SPDY/3 header compression: one zlib stream per direction for the whole session, primed with
// the SPDY/3 dictionary; every header block ends with a sync flush so the peer can decode it
// alone. The two halves keep state across frames, so a session owns one of each and feeds them
// in frame order.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent::nodeapi::streaming {

class HeaderDeflater {
 public:
  HeaderDeflater();
  ~HeaderDeflater();
  HeaderDeflater(const HeaderDeflater&) = delete;
  HeaderDeflater& operator=(const HeaderDeflater&) = delete;
  // The compressed form of one uncompressed header block.
  Result<std::string> compress(std::string_view block);

 private:
  z_stream z_{};
  bool ok_ = false;
};

class HeaderInflater {
 public:
  HeaderInflater();
  ~HeaderInflater();
  HeaderInflater(const HeaderInflater&) = delete;
  HeaderInflater& operator=(const HeaderInflater&) = delete;
  // The uncompressed header block of one frame's compressed bytes (at most `limit` bytes out).
  Result<std::string> decompress(std::string_view compressed, size_t limit = 1 << 20);

 private:
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace nodeagent::nodeapi::streaming
