#include "agent/nodeapi/streaming/spdy_zlib.h"

#include <fmt/format.h>

#include "agent/nodeapi/streaming/spdy_dictionary.h"

namespace nodeagent::nodeapi::streaming {
namespace {

const Bytef* dict_bytes() { return reinterpret_cast<const Bytef*>(spdy3_header_dictionary().data()); }
uInt dict_size() { return static_cast<uInt>(spdy3_header_dictionary().size()); }

}  // namespace

HeaderDeflater::HeaderDeflater() {
  // Best compression as Go's framer uses; the window and memory level are zlib's defaults.
  ok_ = deflateInit(&z_, Z_BEST_COMPRESSION) == Z_OK && deflateSetDictionary(&z_, dict_bytes(), dict_size()) == Z_OK;
}

HeaderDeflater::~HeaderDeflater() { deflateEnd(&z_); }

Result<std::string> HeaderDeflater::compress(std::string_view block) {
  if (!ok_) return internal("spdy: header compressor could not be initialised");
  std::string out;
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z_.avail_in = static_cast<uInt>(block.size());
  char buf[4096];
  do {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof(buf);
    int rc = deflate(&z_, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return internal(fmt::format("spdy: deflate: {}", rc));
    out.append(buf, sizeof(buf) - z_.avail_out);
  } while (z_.avail_out == 0);
  return out;
}

HeaderInflater::HeaderInflater() { ok_ = inflateInit(&z_) == Z_OK; }

HeaderInflater::~HeaderInflater() { inflateEnd(&z_); }

Result<std::string> HeaderInflater::decompress(std::string_view compressed, size_t limit) {
  if (!ok_) return internal("spdy: header decompressor could not be initialised");
  std::string out;
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z_.avail_in = static_cast<uInt>(compressed.size());
  char buf[4096];
  while (true) {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof(buf);
    int rc = inflate(&z_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      if (inflateSetDictionary(&z_, dict_bytes(), dict_size()) != Z_OK)
        return invalid("spdy: header block asks for a dictionary other than SPDY/3's");
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
      return invalid(fmt::format("spdy: corrupt header block ({})", z_.msg ? z_.msg : "inflate error"));
    out.append(buf, sizeof(buf) - z_.avail_out);
    if (out.size() > limit) return invalid("spdy: header block too large");
    if (z_.avail_out != 0) break;  // room left over: inflate has used all the input it can
  }
  if (z_.avail_in != 0) return invalid("spdy: header block has trailing compressed bytes");
  return out;
}

}  // namespace nodeagent::nodeapi::streaming
