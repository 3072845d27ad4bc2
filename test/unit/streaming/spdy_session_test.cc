// SpdySession over a socketpair, driven by a client made of our own frame encoder: replies,
// data both ways, FIN and RST, PING, refused streams, and both halves of flow control.
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "agent/nodeapi/streaming/spdy_session.h"
#include "test/support/fd_byte_stream.h"

using namespace nodeagent;
using namespace nodeagent::nodeapi::streaming;
using nodeagent::testing::FdByteStream;

namespace {

// The client end: writes frames, reads them back decoded.
struct Client {
  int fd;
  HeaderDeflater deflater;
  HeaderInflater inflater;
  spdy::FrameReader reader;

  void send(const std::string& frame) { REQUIRE(::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size())); }
  void syn(uint32_t id, spdy::HeaderList h, uint8_t flags = 0) {
    auto c = deflater.compress(spdy::encode_header_block(h));
    REQUIRE(c.ok());
    send(spdy::syn_stream_frame(id, 0, 0, flags, *c));
  }
  // The next frame, skipping WINDOW_UPDATEs unless asked for.
  spdy::Frame next(bool window_updates = false) {
    while (true) {
      auto f = reader.next();
      REQUIRE(f.ok());
      if (f->has_value()) {
        spdy::Frame fr = std::move(**f);
        if (!window_updates && fr.control && fr.type == static_cast<uint16_t>(spdy::FrameType::kWindowUpdate)) continue;
        return fr;
      }
      char buf[65536];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      REQUIRE(n > 0);
      reader.feed(std::string_view(buf, static_cast<size_t>(n)));
    }
  }
  // Reads DATA of `stream` until `n` bytes came or a FIN; returns them.
  std::string data(uint32_t stream, size_t n, bool* fin = nullptr) {
    std::string got;
    while (got.size() < n) {
      auto f = next();
      if (f.control) continue;
      REQUIRE(f.stream_id == stream);
      got += f.payload;
      if (f.flags & spdy::kFlagFin) {
        if (fin) *fin = true;
        break;
      }
    }
    return got;
  }
};

struct Fixture {
  int fds[2];
  std::unique_ptr<FdByteStream> server_io;
  std::unique_ptr<SpdySession> session;
  std::thread reader;
  std::mutex mu;
  std::vector<std::shared_ptr<SpdyStream>> streams;
  Client client;

  explicit Fixture(std::function<bool(const std::shared_ptr<SpdyStream>&)> accept = nullptr) {
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    server_io = std::make_unique<FdByteStream>(fds[0]);
    client.fd = fds[1];
    session = std::make_unique<SpdySession>(*server_io, [this, accept](const std::shared_ptr<SpdyStream>& s) {
      if (accept && !accept(s)) return false;
      std::lock_guard lock(mu);
      streams.push_back(s);
      return true;
    });
    reader = std::thread([this] { session->serve(); });
  }
  ~Fixture() {
    ::shutdown(fds[1], SHUT_RDWR);
    reader.join();
    ::close(fds[1]);
  }
  std::shared_ptr<SpdyStream> stream(size_t i) {
    for (int tries = 0; tries < 500; ++tries) {
      {
        std::lock_guard lock(mu);
        if (streams.size() > i) return streams[i];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("stream never arrived");
    return nullptr;
  }
};

}  // namespace

TEST_CASE("a stream is answered with an empty SYN_REPLY and carries data both ways", "[streaming][spdy]") {
  Fixture fx;
  fx.client.syn(1, {{"streamtype", "stdin"}, {"x", "y"}});
  auto reply = fx.client.next();
  REQUIRE(reply.control);
  REQUIRE(reply.type == static_cast<uint16_t>(spdy::FrameType::kSynReply));
  auto r = spdy::parse_syn_reply(reply);
  REQUIRE(r.ok());
  CHECK(r->stream_id == 1);
  auto block = fx.client.inflater.decompress(r->compressed_headers);
  REQUIRE(block.ok());
  CHECK(spdy::decode_header_block(*block)->empty());

  auto s = fx.stream(0);
  CHECK(s->id() == 1);
  CHECK(s->header("StreamType") == "stdin");
  fx.client.send(spdy::data_frame(1, 0, "abc"));
  fx.client.send(spdy::data_frame(1, spdy::kFlagFin, "def"));
  char buf[16];
  std::string got;
  while (size_t n = s->read(buf, sizeof buf)) got.append(buf, n);
  CHECK(got == "abcdef");
  CHECK(s->remote_closed());

  REQUIRE(s->write("xyz"));
  s->close();
  bool fin = false;
  CHECK(fx.client.data(1, 100, &fin) == "xyz");
  CHECK(fin);
  CHECK_FALSE(s->write("late"));  // after our FIN
}

TEST_CASE("pings from the client are echoed", "[streaming][spdy]") {
  Fixture fx;
  fx.client.send(spdy::ping_frame(7));
  auto f = fx.client.next();
  REQUIRE(f.type == static_cast<uint16_t>(spdy::FrameType::kPing));
  CHECK(*spdy::parse_ping(f) == 7);
}

TEST_CASE("a refused stream gets RST_STREAM REFUSED_STREAM; the session goes on", "[streaming][spdy]") {
  Fixture fx([](const std::shared_ptr<SpdyStream>& s) { return s->header("streamtype") != "bogus"; });
  fx.client.syn(1, {{"streamtype", "bogus"}});
  auto f = fx.client.next();
  REQUIRE(f.type == static_cast<uint16_t>(spdy::FrameType::kRstStream));
  auto rst = spdy::parse_rst_stream(f);
  CHECK(rst->stream_id == 1);
  CHECK(rst->status == static_cast<uint32_t>(spdy::RstStatus::kRefusedStream));
  // Header compression stayed in step: the next stream's headers read fine.
  fx.client.syn(3, {{"streamtype", "stdout"}});
  CHECK(fx.client.next().type == static_cast<uint16_t>(spdy::FrameType::kSynReply));
  CHECK(fx.stream(0)->header("streamtype") == "stdout");
}

TEST_CASE("a client reset ends the stream's reads and writes", "[streaming][spdy]") {
  Fixture fx;
  fx.client.syn(1, {{"streamtype", "data"}});
  fx.client.next();
  auto s = fx.stream(0);
  fx.client.send(spdy::rst_stream_frame(1, spdy::RstStatus::kCancel));
  char c;
  CHECK(s->read(&c, 1) == 0);
  CHECK_FALSE(s->write("x"));
}

TEST_CASE("without WINDOW_UPDATEs from the peer (spdystream) writes are not held at 64 KiB", "[streaming][spdy]") {
  Fixture fx;
  fx.client.syn(1, {{"streamtype", "stdout"}});
  fx.client.next();
  auto s = fx.stream(0);
  std::string big(300 * 1024, 'x');
  std::atomic<bool> wrote{false};  // no Catch macros off the main thread
  std::thread writer([&] { wrote = s->write(big); });
  CHECK(fx.client.data(1, big.size()).size() == big.size());
  writer.join();
  CHECK(wrote);
}

TEST_CASE("a peer that does flow control holds our writes to its window", "[streaming][spdy]") {
  Fixture fx;
  // SETTINGS INITIAL_WINDOW_SIZE = 10: every stream may receive 10 bytes until updated.
  fx.client.send(spdy::settings_frame({{spdy::kSettingsInitialWindowSize, 10}}));
  fx.client.syn(1, {{"streamtype", "stdout"}});
  fx.client.next();
  auto s = fx.stream(0);
  std::atomic<bool> done{false}, wrote{false};
  std::thread writer([&] {
    wrote = s->write(std::string(25, 'y'));
    done = true;
  });
  CHECK(fx.client.data(1, 10) == std::string(10, 'y'));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(done);  // held: the window is used up
  fx.client.send(spdy::window_update_frame(1, 15));
  CHECK(fx.client.data(1, 15) == std::string(15, 'y'));
  writer.join();
  CHECK(done);
  CHECK(wrote);
}

TEST_CASE("what the application reads is given back with WINDOW_UPDATE", "[streaming][spdy]") {
  Fixture fx;
  fx.client.syn(1, {{"streamtype", "stdin"}});
  fx.client.next();
  auto s = fx.stream(0);
  std::string chunk(16 * 1024, 'z');
  for (int i = 0; i < 3; ++i) fx.client.send(spdy::data_frame(1, 0, chunk));
  size_t total = 0;
  char buf[8192];
  while (total < 3 * chunk.size()) total += s->read(buf, sizeof buf);
  bool stream_update = false, session_update = false;
  while (!stream_update || !session_update) {
    auto f = fx.client.next(true);
    REQUIRE(f.type == static_cast<uint16_t>(spdy::FrameType::kWindowUpdate));
    auto wu = spdy::parse_window_update(f);
    CHECK(wu->delta >= 32 * 1024);
    (wu->stream_id == 0 ? session_update : stream_update) = true;
  }
}

TEST_CASE("GOAWAY from the client ends the session and wakes blocked readers", "[streaming][spdy]") {
  Fixture fx;
  fx.client.syn(1, {{"streamtype", "stdin"}});
  fx.client.next();
  auto s = fx.stream(0);
  std::atomic<size_t> got{99};
  std::thread blocked([&] {
    char c;
    got = s->read(&c, 1);
  });
  fx.client.send(spdy::goaway_frame(1, spdy::GoAwayStatus::kOk));
  blocked.join();
  CHECK(got == 0);
  CHECK(fx.session->wait_done(std::chrono::seconds(5)));
}
