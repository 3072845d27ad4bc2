// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with 3.1's session flow control): the byte
// layout of data and control frames, name/value header blocks, and an incremental reader that
// cuts a byte stream into frames. Pure: compression (spdy_zlib.h) and stream state
// (spdy_session.h) live elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace nodeagent::nodeapi::streaming::spdy {

constexpr uint16_t kVersion = 3;
constexpr uint32_t kMaxFrameLength = (1u << 24) - 1;
constexpr uint32_t kDefaultWindow = 64 * 1024;  // initial stream and session windows

enum class FrameType : uint16_t {
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};

constexpr uint8_t kFlagFin = 0x01;             // data and SYN_STREAM/SYN_REPLY/HEADERS
constexpr uint8_t kFlagUnidirectional = 0x02;  // SYN_STREAM

enum class RstStatus : uint32_t {
  kProtocolError = 1,
  kInvalidStream = 2,
  kRefusedStream = 3,
  kUnsupportedVersion = 4,
  kCancel = 5,
  kInternalError = 6,
  kFlowControlError = 7,
  kStreamInUse = 8,
  kStreamAlreadyClosed = 9,
  kFrameTooLarge = 11,
};

enum class GoAwayStatus : uint32_t { kOk = 0, kProtocolError = 1, kInternalError = 2 };

constexpr uint32_t kSettingsInitialWindowSize = 7;

// One frame as read off the wire: a data frame (control = false, stream_id) or a control frame
// (control = true, version, type). The payload is still compressed where it holds headers.
struct Frame {
  bool control = false;
  uint16_t version = 0;
  uint16_t type = 0;
  uint32_t stream_id = 0;
  uint8_t flags = 0;
  std::string payload;
};

// Cuts frames out of bytes fed as they arrive.
class FrameReader {
 public:
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next whole frame, nullopt when more bytes are needed; an error for a frame longer than
  // `max_length` (the stream cannot be resynchronised after that).
  Result<std::optional<Frame>> next(uint32_t max_length = kMaxFrameLength);

 private:
  std::string buf_;
  size_t pos_ = 0;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The uncompressed name/value block: a 32-bit count, then 32-bit-length-prefixed names
// (lower-cased here) and values (several values of one name are joined by NUL).
std::string encode_header_block(const HeaderList& headers);
Result<HeaderList> decode_header_block(std::string_view block);

// Whole frames, ready to write.
std::string data_frame(uint32_t stream_id, uint8_t flags, std::string_view data);
std::string control_frame(FrameType type, uint8_t flags, std::string_view payload);
std::string syn_stream_frame(uint32_t stream_id, uint32_t associated, uint8_t priority, uint8_t flags,
                             std::string_view compressed_headers);
std::string syn_reply_frame(uint32_t stream_id, uint8_t flags, std::string_view compressed_headers);
std::string rst_stream_frame(uint32_t stream_id, RstStatus status);
std::string ping_frame(uint32_t id);
std::string goaway_frame(uint32_t last_good_stream_id, GoAwayStatus status);
std::string window_update_frame(uint32_t stream_id, uint32_t delta);
std::string settings_frame(const std::vector<std::pair<uint32_t, uint32_t>>& id_values);

// Control frame payloads, parsed (headers still compressed).
struct SynStream {
  uint32_t stream_id = 0;
  uint32_t associated_stream_id = 0;
  uint8_t priority = 0;
  std::string compressed_headers;
};
struct SynReply {
  uint32_t stream_id = 0;
  std::string compressed_headers;
};
struct RstStream {
  uint32_t stream_id = 0;
  uint32_t status = 0;
};
struct WindowUpdate {
  uint32_t stream_id = 0;
  uint32_t delta = 0;
};
struct GoAway {
  uint32_t last_good_stream_id = 0;
  uint32_t status = 0;
};

Result<SynStream> parse_syn_stream(const Frame& f);
Result<SynReply> parse_syn_reply(const Frame& f);  // also HEADERS (same layout)
Result<RstStream> parse_rst_stream(const Frame& f);
Result<WindowUpdate> parse_window_update(const Frame& f);
Result<uint32_t> parse_ping(const Frame& f);
Result<GoAway> parse_goaway(const Frame& f);
Result<std::vector<std::pair<uint32_t, uint32_t>>> parse_settings(const Frame& f);  // (id, value)

}  // namespace nodeagent::nodeapi::streaming::spdy
