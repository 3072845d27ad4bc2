#include "agent/nodeapi/streaming/spdy_frames.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace nodeagent::nodeapi::streaming::spdy {
namespace {

void put32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

uint32_t get32(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

Error short_frame(const char* what) { return invalid(fmt::format("spdy: {} frame too short", what)); }

}  // namespace

Result<std::optional<Frame>> FrameReader::next(uint32_t max_length) {
  if (buf_.size() - pos_ < 8) return std::optional<Frame>();
  std::string_view view(buf_);
  uint32_t first = get32(view, pos_);
  uint32_t second = get32(view, pos_ + 4);
  uint32_t length = second & 0xffffff;
  if (length > max_length) return invalid(fmt::format("spdy: frame of {} bytes exceeds the limit of {}", length, max_length));
  if (buf_.size() - pos_ < 8 + static_cast<size_t>(length)) return std::optional<Frame>();
  Frame f;
  f.control = (first & 0x80000000u) != 0;
  if (f.control) {
    f.version = static_cast<uint16_t>((first >> 16) & 0x7fff);
    f.type = static_cast<uint16_t>(first & 0xffff);
  } else {
    f.stream_id = first & 0x7fffffffu;
  }
  f.flags = static_cast<uint8_t>(second >> 24);
  f.payload.assign(buf_, pos_ + 8, length);
  pos_ += 8 + length;
  // Compact now and then, not on every frame.
  if (pos_ > 64 * 1024 || pos_ == buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return std::optional<Frame>(std::move(f));
}

std::string encode_header_block(const HeaderList& headers) {
  // Repeated names become one entry with NUL-separated values (duplicates are a protocol error).
  std::vector<std::pair<std::string, std::string>> merged;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& p) { return p.first == lower; });
    if (it == merged.end()) {
      merged.emplace_back(std::move(lower), value);
    } else {
      it->second.push_back('\0');
      it->second += value;
    }
  }
  std::string out;
  put32(out, static_cast<uint32_t>(merged.size()));
  for (const auto& [name, value] : merged) {
    put32(out, static_cast<uint32_t>(name.size()));
    out += name;
    put32(out, static_cast<uint32_t>(value.size()));
    out += value;
  }
  return out;
}

Result<HeaderList> decode_header_block(std::string_view block) {
  size_t at = 0;
  auto read_string = [&](std::string& out) -> bool {
    if (block.size() - at < 4) return false;
    uint32_t len = get32(block, at);
    at += 4;
    if (block.size() - at < len) return false;
    out.assign(block.substr(at, len));
    at += len;
    return true;
  };
  if (block.size() < 4) return invalid("spdy: header block too short");
  uint32_t count = get32(block, 0);
  at = 4;
  if (count > 1000) return invalid(fmt::format("spdy: header block has {} headers (limit 1000)", count));
  HeaderList headers;
  for (uint32_t i = 0; i < count; ++i) {
    std::string name, value;
    if (!read_string(name) || !read_string(value)) return invalid("spdy: truncated header block");
    if (name.empty()) return invalid("spdy: empty header name");
    size_t start = 0;
    while (true) {
      size_t nul = value.find('\0', start);
      headers.emplace_back(name, value.substr(start, nul == std::string::npos ? std::string::npos : nul - start));
      if (nul == std::string::npos) break;
      start = nul + 1;
    }
  }
  return headers;
}

std::string data_frame(uint32_t stream_id, uint8_t flags, std::string_view data) {
  std::string out;
  out.reserve(8 + data.size());
  put32(out, stream_id & 0x7fffffffu);
  put32(out, (static_cast<uint32_t>(flags) << 24) | static_cast<uint32_t>(data.size()));
  out.append(data);
  return out;
}

std::string control_frame(FrameType type, uint8_t flags, std::string_view payload) {
  std::string out;
  out.reserve(8 + payload.size());
  put32(out, 0x80000000u | (static_cast<uint32_t>(kVersion) << 16) | static_cast<uint16_t>(type));
  put32(out, (static_cast<uint32_t>(flags) << 24) | static_cast<uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

std::string syn_stream_frame(uint32_t stream_id, uint32_t associated, uint8_t priority, uint8_t flags,
                             std::string_view compressed_headers) {
  std::string p;
  put32(p, stream_id & 0x7fffffffu);
  put32(p, associated & 0x7fffffffu);
  p.push_back(static_cast<char>((priority & 0x7) << 5));
  p.push_back(0);  // slot
  p.append(compressed_headers);
  return control_frame(FrameType::kSynStream, flags, p);
}

std::string syn_reply_frame(uint32_t stream_id, uint8_t flags, std::string_view compressed_headers) {
  std::string p;
  put32(p, stream_id & 0x7fffffffu);
  p.append(compressed_headers);
  return control_frame(FrameType::kSynReply, flags, p);
}

std::string rst_stream_frame(uint32_t stream_id, RstStatus status) {
  std::string p;
  put32(p, stream_id & 0x7fffffffu);
  put32(p, static_cast<uint32_t>(status));
  return control_frame(FrameType::kRstStream, 0, p);
}

std::string ping_frame(uint32_t id) {
  std::string p;
  put32(p, id);
  return control_frame(FrameType::kPing, 0, p);
}

std::string goaway_frame(uint32_t last_good_stream_id, GoAwayStatus status) {
  std::string p;
  put32(p, last_good_stream_id & 0x7fffffffu);
  put32(p, static_cast<uint32_t>(status));
  return control_frame(FrameType::kGoAway, 0, p);
}

std::string window_update_frame(uint32_t stream_id, uint32_t delta) {
  std::string p;
  put32(p, stream_id & 0x7fffffffu);
  put32(p, delta & 0x7fffffffu);
  return control_frame(FrameType::kWindowUpdate, 0, p);
}

std::string settings_frame(const std::vector<std::pair<uint32_t, uint32_t>>& id_values) {
  std::string p;
  put32(p, static_cast<uint32_t>(id_values.size()));
  for (const auto& [id, value] : id_values) {
    put32(p, id & 0xffffff);  // flags byte 0
    put32(p, value);
  }
  return control_frame(FrameType::kSettings, 0, p);
}

Result<SynStream> parse_syn_stream(const Frame& f) {
  if (f.payload.size() < 10) return short_frame("SYN_STREAM");
  SynStream s;
  s.stream_id = get32(f.payload, 0) & 0x7fffffffu;
  s.associated_stream_id = get32(f.payload, 4) & 0x7fffffffu;
  s.priority = static_cast<uint8_t>(static_cast<unsigned char>(f.payload[8]) >> 5);
  s.compressed_headers = f.payload.substr(10);
  return s;
}

Result<SynReply> parse_syn_reply(const Frame& f) {
  if (f.payload.size() < 4) return short_frame("SYN_REPLY");
  return SynReply{get32(f.payload, 0) & 0x7fffffffu, f.payload.substr(4)};
}

Result<RstStream> parse_rst_stream(const Frame& f) {
  if (f.payload.size() != 8) return short_frame("RST_STREAM");
  return RstStream{get32(f.payload, 0) & 0x7fffffffu, get32(f.payload, 4)};
}

Result<WindowUpdate> parse_window_update(const Frame& f) {
  if (f.payload.size() != 8) return short_frame("WINDOW_UPDATE");
  return WindowUpdate{get32(f.payload, 0) & 0x7fffffffu, get32(f.payload, 4) & 0x7fffffffu};
}

Result<uint32_t> parse_ping(const Frame& f) {
  if (f.payload.size() != 4) return short_frame("PING");
  return get32(f.payload, 0);
}

Result<GoAway> parse_goaway(const Frame& f) {
  // SPDY/3 adds a status; accept SPDY/2's 4-byte form too.
  if (f.payload.size() < 4) return short_frame("GOAWAY");
  return GoAway{get32(f.payload, 0) & 0x7fffffffu, f.payload.size() >= 8 ? get32(f.payload, 4) : 0};
}

Result<std::vector<std::pair<uint32_t, uint32_t>>> parse_settings(const Frame& f) {
  if (f.payload.size() < 4) return short_frame("SETTINGS");
  uint32_t n = get32(f.payload, 0);
  if ((f.payload.size() - 4) / 8 < n) return short_frame("SETTINGS");
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t i = 0; i < n; ++i) out.emplace_back(get32(f.payload, 4 + 8 * i) & 0xffffff, get32(f.payload, 8 + 8 * i));
  return out;
}

}  // namespace nodeagent::nodeapi::streaming::spdy
