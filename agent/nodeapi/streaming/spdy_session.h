// The server side of one SPDY/3.1 connection (what kubelet's SPDY upgrade gives the API server):
// the peer opens streams with SYN_STREAM, each is answered with an empty SYN_REPLY once the
// handler has taken it, and both sides send DATA until FIN or RST_STREAM. PINGs are echoed,
// GOAWAY ends the session.
//
// Threads: serve() is the reader loop, on a thread of its own; streams are read and written from
// any other thread. Frames go out whole under one lock (header compression is stateful, so
// header frames must leave in the order they were compressed).
//
// Flow control: every received DATA frame counts against our stream and session windows, given
// back with WINDOW_UPDATE as the application consumes it. Our own sending honours the peer's
// windows only once the peer shows that it does flow control (a WINDOW_UPDATE or a SETTINGS
// INITIAL_WINDOW_SIZE): Go's spdystream, which the API server and kubectl use, never sends
// WINDOW_UPDATE and ignores the windows, so waiting on them would stall every stream at 64 KiB.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "agent/nodeapi/byte_stream.h"
#include "agent/nodeapi/streaming/spdy_frames.h"
#include "agent/nodeapi/streaming/spdy_zlib.h"

namespace nodeagent::nodeapi::streaming {

class SpdySession;

class SpdyStream {
 public:
  uint32_t id() const { return id_; }
  const spdy::HeaderList& headers() const { return headers_; }
  // The first value of a header (names compare case-insensitively), or "".
  std::string header(std::string_view name) const;

  // Blocks until data arrives; 0 at the peer's FIN, a reset, or the end of the session.
  size_t read(char* buf, size_t n);
  // Sends all of `data`; false once the stream was reset or the session ended.
  bool write(std::string_view data);
  // Half-closes our side (DATA with FIN). Idempotent.
  void close();
  // Ends the stream both ways (RST_STREAM CANCEL). Idempotent.
  void reset();
  // Whether the peer has finished sending (FIN or reset).
  bool remote_closed();
  // Makes pending and later read() calls return 0 (the reader gave up on this stream).
  void interrupt_reads();

 private:
  friend class SpdySession;
  SpdyStream(SpdySession* session, uint32_t id, spdy::HeaderList headers, bool remote_fin);

  SpdySession* session_;
  const uint32_t id_;
  const spdy::HeaderList headers_;

  // Guarded by session_->mu_.
  std::deque<std::string> incoming_;
  size_t incoming_offset_ = 0;
  size_t incoming_bytes_ = 0;
  bool remote_fin_ = false;
  bool local_fin_ = false;
  bool reset_ = false;
  bool replied_ = false;
  bool read_interrupted_ = false;
  int64_t send_window_ = spdy::kDefaultWindow;
  uint32_t consumed_ = 0;  // read by the application since our last WINDOW_UPDATE
};

class SpdySession {
 public:
  // Called on the reader thread for each stream the peer opens, before its SYN_REPLY; returns
  // false to refuse it (RST_STREAM REFUSED_STREAM). Must not block.
  using StreamHandler = std::function<bool(const std::shared_ptr<SpdyStream>&)>;

  SpdySession(ByteStream& io, StreamHandler on_stream);
  ~SpdySession();
  SpdySession(const SpdySession&) = delete;
  SpdySession& operator=(const SpdySession&) = delete;

  // The reader loop; returns when the peer closes the connection or sends GOAWAY, on a protocol
  // error, or after shutdown(). Every stream then reads EOF and refuses writes.
  void serve();
  // Ends the session: GOAWAY, then waits up to `linger` for the peer to close the connection
  // (so that the last frames are read before the socket goes away), then closes the byte stream.
  void shutdown(std::chrono::milliseconds linger = std::chrono::seconds(2));
  // Blocks until serve() has returned or `timeout` passed; true when it has.
  bool wait_done(std::chrono::milliseconds timeout);
  bool done();

 private:
  friend class SpdyStream;
  Status handle(const spdy::Frame& f);
  Status handle_syn_stream(const spdy::Frame& f);
  void handle_data(const spdy::Frame& f);
  // Writes one whole frame (serialised with every other frame); false when the stream broke.
  bool send_frame(const std::string& frame);
  // Sends `payload` as a SYN_REPLY; compresses under the write lock.
  bool send_reply(uint32_t stream_id);
  void end_all_streams();  // with mu_ held
  void on_consumed(SpdyStream& s, size_t n);  // with mu_ held; may queue WINDOW_UPDATEs
  void flush_window_updates();

  ByteStream& io_;
  StreamHandler on_stream_;

  std::mutex write_mu_;
  HeaderDeflater deflater_;  // under write_mu_
  HeaderInflater inflater_;  // reader thread only
  bool broken_ = false;      // under write_mu_: a write failed

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint32_t, std::shared_ptr<SpdyStream>> streams_;
  uint32_t last_peer_stream_ = 0;
  bool peer_flow_control_ = false;
  int64_t initial_send_window_ = spdy::kDefaultWindow;
  int64_t session_send_window_ = spdy::kDefaultWindow;
  uint32_t session_consumed_ = 0;
  std::vector<std::string> pending_updates_;  // WINDOW_UPDATE frames to send outside mu_
  bool done_ = false;
  bool going_away_ = false;
};

}  // namespace nodeagent::nodeapi::streaming
