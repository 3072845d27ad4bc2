// The raw byte stream of a connection after an HTTP Upgrade (101 Switching Protocols): what the
// streaming endpoints (/exec, /attach, /portForward over SPDY or WebSocket, agent/nodeapi/streaming)
// speak their protocol over, without knowing about Beast, Asio or TLS. Blocking calls; one reader
// thread and one writer thread may use it at once.
#pragma once

#include <cstddef>
#include <string_view>

namespace nodeagent::nodeapi {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads what is available (at least 1 byte, at most `size`); blocks until then. 0 = the peer
  // closed the stream or it failed.
  virtual size_t read_some(char* data, size_t size) = 0;
  // Writes all of `data`; false when the stream is broken.
  virtual bool write_all(std::string_view data) = 0;
  // Ends the stream (TLS close_notify, then the socket); unblocks a pending read. Idempotent.
  virtual void close() = 0;
};

}  // namespace nodeagent::nodeapi
