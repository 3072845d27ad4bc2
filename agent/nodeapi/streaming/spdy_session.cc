#include "agent/nodeapi/streaming/spdy_session.h"

#include <strings.h>

#include <algorithm>

#include <fmt/format.h>

#include "util/log.h"

namespace nodeagent::nodeapi::streaming {
namespace {

constexpr size_t kMaxDataChunk = 32 * 1024;
// Data queued for a stream the application does not read: past this the reader stops reading
// the connection (TCP pushes back on the peer) until the application catches up.
constexpr size_t kMaxQueuedPerStream = 4 * 1024 * 1024;

auto logger() { return log::get("spdy"); }

}  // namespace

SpdyStream::SpdyStream(SpdySession* session, uint32_t id, spdy::HeaderList headers, bool remote_fin)
    : session_(session), id_(id), headers_(std::move(headers)), remote_fin_(remote_fin) {}

std::string SpdyStream::header(std::string_view name) const {
  for (const auto& [k, v] : headers_) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

size_t SpdyStream::read(char* buf, size_t n) {
  size_t got = 0;
  {
    std::unique_lock lock(session_->mu_);
    session_->cv_.wait(lock, [&] {
      return !incoming_.empty() || remote_fin_ || reset_ || read_interrupted_ || session_->done_;
    });
    if (incoming_.empty() || read_interrupted_) return 0;
    while (got < n && !incoming_.empty()) {
      const std::string& front = incoming_.front();
      size_t take = std::min(n - got, front.size() - incoming_offset_);
      std::copy_n(front.data() + incoming_offset_, take, buf + got);
      got += take;
      incoming_offset_ += take;
      if (incoming_offset_ == front.size()) {
        incoming_.pop_front();
        incoming_offset_ = 0;
      }
    }
    incoming_bytes_ -= got;
    session_->on_consumed(*this, got);
  }
  session_->cv_.notify_all();  // the reader may wait for room
  session_->flush_window_updates();
  return got;
}

bool SpdyStream::write(std::string_view data) {
  while (!data.empty()) {
    size_t chunk = std::min(data.size(), kMaxDataChunk);
    {
      std::unique_lock lock(session_->mu_);
      auto usable = [&] {
        if (!session_->peer_flow_control_) return true;
        return send_window_ > 0 && session_->session_send_window_ > 0;
      };
      session_->cv_.wait(lock, [&] { return reset_ || local_fin_ || session_->done_ || (replied_ && usable()); });
      if (reset_ || local_fin_ || session_->done_) return false;
      if (session_->peer_flow_control_) {
        chunk = std::min<size_t>(chunk, static_cast<size_t>(std::min(send_window_, session_->session_send_window_)));
      }
      send_window_ -= static_cast<int64_t>(chunk);
      session_->session_send_window_ -= static_cast<int64_t>(chunk);
    }
    if (!session_->send_frame(spdy::data_frame(id_, 0, data.substr(0, chunk)))) return false;
    data.remove_prefix(chunk);
  }
  return true;
}

void SpdyStream::close() {
  {
    std::unique_lock lock(session_->mu_);
    session_->cv_.wait(lock, [&] { return replied_ || reset_ || session_->done_; });
    if (local_fin_ || reset_ || session_->done_) return;
    local_fin_ = true;
    if (remote_fin_) session_->streams_.erase(id_);
  }
  session_->cv_.notify_all();
  session_->send_frame(spdy::data_frame(id_, spdy::kFlagFin, {}));
}

void SpdyStream::reset() {
  {
    std::lock_guard lock(session_->mu_);
    if (reset_ || session_->done_) return;
    reset_ = true;
    incoming_.clear();
    incoming_bytes_ = 0;
    session_->streams_.erase(id_);
  }
  session_->cv_.notify_all();
  session_->send_frame(spdy::rst_stream_frame(id_, spdy::RstStatus::kCancel));
}

void SpdyStream::interrupt_reads() {
  {
    std::lock_guard lock(session_->mu_);
    read_interrupted_ = true;
  }
  session_->cv_.notify_all();
}

bool SpdyStream::remote_closed() {
  std::lock_guard lock(session_->mu_);
  return remote_fin_ || reset_ || session_->done_;
}

SpdySession::SpdySession(ByteStream& io, StreamHandler on_stream) : io_(io), on_stream_(std::move(on_stream)) {}

SpdySession::~SpdySession() = default;

bool SpdySession::send_frame(const std::string& frame) {
  std::lock_guard lock(write_mu_);
  if (broken_) return false;
  if (!io_.write_all(frame)) broken_ = true;
  return !broken_;
}

bool SpdySession::send_reply(uint32_t stream_id) {
  std::lock_guard lock(write_mu_);
  if (broken_) return false;
  auto block = deflater_.compress(spdy::encode_header_block({}));
  if (!block.ok()) return false;
  if (!io_.write_all(spdy::syn_reply_frame(stream_id, 0, *block))) broken_ = true;
  return !broken_;
}

void SpdySession::on_consumed(SpdyStream& s, size_t n) {
  // Give the window back in halves, as the reference implementations do.
  s.consumed_ += static_cast<uint32_t>(n);
  if (s.consumed_ >= spdy::kDefaultWindow / 2 && !s.remote_fin_ && !s.reset_) {
    pending_updates_.push_back(spdy::window_update_frame(s.id_, s.consumed_));
    s.consumed_ = 0;
  }
  session_consumed_ += static_cast<uint32_t>(n);
  if (session_consumed_ >= spdy::kDefaultWindow / 2) {
    pending_updates_.push_back(spdy::window_update_frame(0, session_consumed_));
    session_consumed_ = 0;
  }
}

void SpdySession::flush_window_updates() {
  std::vector<std::string> frames;
  {
    std::lock_guard lock(mu_);
    frames.swap(pending_updates_);
  }
  for (const auto& f : frames) send_frame(f);
}

void SpdySession::end_all_streams() {
  done_ = true;
  streams_.clear();
}

void SpdySession::serve() {
  spdy::FrameReader reader;
  char buf[64 * 1024];
  while (true) {
    size_t n = io_.read_some(buf, sizeof(buf));
    if (n == 0) break;
    reader.feed(std::string_view(buf, n));
    bool stop = false;
    while (!stop) {
      auto next = reader.next();
      if (!next.ok()) {
        logger()->debug("spdy: {}", next.error().message);
        send_frame(spdy::goaway_frame(last_peer_stream_, spdy::GoAwayStatus::kProtocolError));
        stop = true;
        break;
      }
      if (!next->has_value()) break;
      Status st = handle(**next);
      if (!st.ok()) {
        logger()->debug("spdy: {}", st.error().message);
        send_frame(spdy::goaway_frame(last_peer_stream_, spdy::GoAwayStatus::kProtocolError));
        stop = true;
      }
      std::lock_guard lock(mu_);
      if (going_away_) stop = true;
    }
    flush_window_updates();
    if (stop) break;
  }
  {
    std::lock_guard lock(mu_);
    end_all_streams();
  }
  cv_.notify_all();
}

Status SpdySession::handle(const spdy::Frame& f) {
  if (!f.control) {
    handle_data(f);
    return ok_status();
  }
  if (f.version != spdy::kVersion) return invalid(fmt::format("unsupported SPDY version {}", f.version));
  switch (static_cast<spdy::FrameType>(f.type)) {
    case spdy::FrameType::kSynStream:
      return handle_syn_stream(f);
    case spdy::FrameType::kRstStream: {
      NA_ASSIGN_OR_RETURN(auto rst, spdy::parse_rst_stream(f));
      {
        std::lock_guard lock(mu_);
        auto it = streams_.find(rst.stream_id);
        if (it != streams_.end()) {
          it->second->reset_ = true;
          streams_.erase(it);
        }
      }
      cv_.notify_all();
      return ok_status();
    }
    case spdy::FrameType::kSettings: {
      NA_ASSIGN_OR_RETURN(auto settings, spdy::parse_settings(f));
      std::lock_guard lock(mu_);
      for (const auto& [id, value] : settings) {
        if (id != spdy::kSettingsInitialWindowSize) continue;
        // Applies to every stream: adjust the open ones by the difference.
        int64_t delta = static_cast<int64_t>(value) - initial_send_window_;
        initial_send_window_ = value;
        for (auto& [sid, s] : streams_) s->send_window_ += delta;
        peer_flow_control_ = true;
      }
      cv_.notify_all();
      return ok_status();
    }
    case spdy::FrameType::kWindowUpdate: {
      NA_ASSIGN_OR_RETURN(auto wu, spdy::parse_window_update(f));
      {
        std::lock_guard lock(mu_);
        peer_flow_control_ = true;
        if (wu.stream_id == 0) {
          session_send_window_ += wu.delta;
        } else if (auto it = streams_.find(wu.stream_id); it != streams_.end()) {
          it->second->send_window_ += wu.delta;
        }
      }
      cv_.notify_all();
      return ok_status();
    }
    case spdy::FrameType::kPing: {
      NA_ASSIGN_OR_RETURN(uint32_t id, spdy::parse_ping(f));
      // Odd ids are the client's: echo them. Even ones would answer pings we never send.
      if (id % 2 == 1) send_frame(spdy::ping_frame(id));
      return ok_status();
    }
    case spdy::FrameType::kGoAway: {
      std::lock_guard lock(mu_);
      going_away_ = true;
      return ok_status();
    }
    case spdy::FrameType::kHeaders: {
      // Extra headers on a stream: decompress to keep the zlib state in step, then ignore.
      NA_ASSIGN_OR_RETURN(auto h, spdy::parse_syn_reply(f));
      NA_ASSIGN_OR_RETURN(auto block, inflater_.decompress(h.compressed_headers));
      (void)block;
      if (f.flags & spdy::kFlagFin) {
        std::lock_guard lock(mu_);
        if (auto it = streams_.find(h.stream_id); it != streams_.end()) it->second->remote_fin_ = true;
        cv_.notify_all();
      }
      return ok_status();
    }
    case spdy::FrameType::kSynReply:
      // We open no streams, so a reply is for nothing; still keep the zlib state in step.
      {
        NA_ASSIGN_OR_RETURN(auto r, spdy::parse_syn_reply(f));
        NA_ASSIGN_OR_RETURN(auto block, inflater_.decompress(r.compressed_headers));
        (void)block;
      }
      return ok_status();
  }
  return ok_status();  // unknown control frames are ignored, as the spec asks
}

Status SpdySession::handle_syn_stream(const spdy::Frame& f) {
  NA_ASSIGN_OR_RETURN(auto syn, spdy::parse_syn_stream(f));
  // Always inflate, even for a stream we refuse: the compression context spans the session.
  NA_ASSIGN_OR_RETURN(std::string block, inflater_.decompress(syn.compressed_headers));
  NA_ASSIGN_OR_RETURN(auto headers, spdy::decode_header_block(block));
  if (syn.stream_id == 0) return invalid("SYN_STREAM with stream id 0");
  if (syn.stream_id % 2 == 0 || syn.stream_id <= last_peer_stream_) {
    send_frame(spdy::rst_stream_frame(syn.stream_id, spdy::RstStatus::kProtocolError));
    return ok_status();
  }
  last_peer_stream_ = syn.stream_id;
  std::shared_ptr<SpdyStream> stream(new SpdyStream(this, syn.stream_id, std::move(headers), (f.flags & spdy::kFlagFin) != 0));
  {
    std::lock_guard lock(mu_);
    stream->send_window_ = initial_send_window_;
    streams_[syn.stream_id] = stream;
  }
  if (!on_stream_(stream)) {
    {
      std::lock_guard lock(mu_);
      stream->reset_ = true;
      streams_.erase(syn.stream_id);
    }
    cv_.notify_all();
    send_frame(spdy::rst_stream_frame(syn.stream_id, spdy::RstStatus::kRefusedStream));
    return ok_status();
  }
  bool sent = send_reply(syn.stream_id);
  {
    std::lock_guard lock(mu_);
    stream->replied_ = true;
  }
  cv_.notify_all();
  return sent ? ok_status() : Status(unavailable("connection broken"));
}

void SpdySession::handle_data(const spdy::Frame& f) {
  std::unique_lock lock(mu_);
  auto it = streams_.find(f.stream_id);
  if (it == streams_.end()) {
    // Data for a stream that is gone (reset by us, or never opened): count it for the session
    // window and drop it.
    session_consumed_ += static_cast<uint32_t>(f.payload.size());
    return;
  }
  std::shared_ptr<SpdyStream> s = it->second;
  if (s->remote_fin_) return;
  if (!f.payload.empty()) {
    cv_.wait(lock, [&] {
      return s->incoming_bytes_ < kMaxQueuedPerStream || s->reset_ || s->read_interrupted_ || done_;
    });
    if (s->reset_ || done_) return;
    if (s->read_interrupted_) {
      session_consumed_ += static_cast<uint32_t>(f.payload.size());  // nobody reads it: drop
    } else {
      s->incoming_bytes_ += f.payload.size();
      s->incoming_.push_back(f.payload);
    }
  }
  if (f.flags & spdy::kFlagFin) {
    s->remote_fin_ = true;
    if (s->local_fin_) streams_.erase(f.stream_id);
  }
  cv_.notify_all();
}

void SpdySession::shutdown(std::chrono::milliseconds linger) {
  uint32_t last;
  {
    std::lock_guard lock(mu_);
    last = last_peer_stream_;
  }
  send_frame(spdy::goaway_frame(last, spdy::GoAwayStatus::kOk));
  wait_done(linger);
  io_.close();
  std::lock_guard lock(mu_);
  end_all_streams();
  cv_.notify_all();
}

bool SpdySession::wait_done(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return done_; });
}

bool SpdySession::done() {
  std::lock_guard lock(mu_);
  return done_;
}

}  // namespace nodeagent::nodeapi::streaming
