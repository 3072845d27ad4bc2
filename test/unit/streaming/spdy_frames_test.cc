// SPDY/3.1 framing and header compression against frames written by Go's spdystream framer
// (the one kubectl and the API server use): `spdy-client vector` (test/streaming/spdy-client)
// printed these.
#include <zlib.h>

#include <catch2/catch.hpp>

#include "agent/nodeapi/streaming/spdy_dictionary.h"
#include "agent/nodeapi/streaming/spdy_frames.h"
#include "agent/nodeapi/streaming/spdy_zlib.h"

using namespace nodeagent::nodeapi::streaming;

namespace {

std::string unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// SYN_STREAM 1 {streamtype: error}, then SYN_STREAM 3 {streamtype: stdout, port: 8080,
// requestid: 0} from the same compression context, DATA 3 FIN "hello", PING 1, GOAWAY 3 OK.
const char* kGoFrames[] = {
    "80030001000000290000000100000000000078f9e3c6a7c26260606004a7b392a2d4c45c6851c29a0a0a6800000000ffff",
    "80030001000000330000000300000000000002a5470c29b6e292947c7019cd52905f04a62d0c2c0c181818388b20519c094afa8c06"
    "00000000ffff",
    "000000030100000568656c6c6f",
    "800300060000000400000001",
    "80030007000000080000000300000000",
};

spdy::HeaderList sorted(spdy::HeaderList h) {
  std::sort(h.begin(), h.end());
  return h;
}

}  // namespace

TEST_CASE("the SPDY/3 dictionary is the one Go's framer announces", "[streaming][spdy]") {
  auto d = spdy3_header_dictionary();
  CHECK(d.size() == 1423);
  // The zlib header of Go's first header block names the dictionary by its Adler-32: e3c6a7c2.
  uLong adler = adler32(adler32(0, Z_NULL, 0), reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size()));
  CHECK(adler == 0xe3c6a7c2UL);
}

TEST_CASE("frames written by Go are read, and their header blocks inflate in one context", "[streaming][spdy]") {
  spdy::FrameReader reader;
  std::vector<spdy::Frame> frames;
  // Fed a byte at a time: frames must come out whole whatever the reads look like.
  for (const char* hex : kGoFrames) {
    for (char c : unhex(hex)) {
      reader.feed(std::string_view(&c, 1));
      auto next = reader.next();
      REQUIRE(next.ok());
      if (next->has_value()) frames.push_back(std::move(**next));
    }
  }
  REQUIRE(frames.size() == 5);
  HeaderInflater inflater;

  REQUIRE(frames[0].control);
  CHECK(frames[0].version == 3);
  CHECK(frames[0].type == static_cast<uint16_t>(spdy::FrameType::kSynStream));
  auto syn1 = spdy::parse_syn_stream(frames[0]);
  REQUIRE(syn1.ok());
  CHECK(syn1->stream_id == 1);
  auto block1 = inflater.decompress(syn1->compressed_headers);
  REQUIRE(block1.ok());
  auto h1 = spdy::decode_header_block(*block1);
  REQUIRE(h1.ok());
  CHECK(*h1 == spdy::HeaderList{{"streamtype", "error"}});

  auto syn3 = spdy::parse_syn_stream(frames[1]);
  REQUIRE(syn3.ok());
  CHECK(syn3->stream_id == 3);
  auto block3 = inflater.decompress(syn3->compressed_headers);
  REQUIRE(block3.ok());
  auto h3 = spdy::decode_header_block(*block3);
  REQUIRE(h3.ok());
  CHECK(sorted(*h3) == spdy::HeaderList{{"port", "8080"}, {"requestid", "0"}, {"streamtype", "stdout"}});

  CHECK_FALSE(frames[2].control);
  CHECK(frames[2].stream_id == 3);
  CHECK(frames[2].flags == spdy::kFlagFin);
  CHECK(frames[2].payload == "hello");

  auto ping = spdy::parse_ping(frames[3]);
  REQUIRE(ping.ok());
  CHECK(*ping == 1);
  auto goaway = spdy::parse_goaway(frames[4]);
  REQUIRE(goaway.ok());
  CHECK(goaway->last_good_stream_id == 3);
  CHECK(goaway->status == 0);
}

TEST_CASE("frames without compressed parts are byte for byte Go's", "[streaming][spdy]") {
  CHECK(spdy::data_frame(3, spdy::kFlagFin, "hello") == unhex(kGoFrames[2]));
  CHECK(spdy::ping_frame(1) == unhex(kGoFrames[3]));
  CHECK(spdy::goaway_frame(3, spdy::GoAwayStatus::kOk) == unhex(kGoFrames[4]));
  CHECK(spdy::rst_stream_frame(5, spdy::RstStatus::kCancel) == unhex("80030003000000080000000500000005"));
  CHECK(spdy::window_update_frame(0, 32768) == unhex("80030009000000080000000000008000"));
}

TEST_CASE("our header blocks inflate with a fresh context per direction, frame after frame", "[streaming][spdy]") {
  HeaderDeflater deflater;
  HeaderInflater inflater;
  for (int i = 0; i < 50; ++i) {
    spdy::HeaderList h = {{"StreamType", "data"}, {"port", std::to_string(8000 + i)}, {"requestID", std::to_string(i)}};
    auto c = deflater.compress(spdy::encode_header_block(h));
    REQUIRE(c.ok());
    auto d = inflater.decompress(*c);
    REQUIRE(d.ok());
    auto back = spdy::decode_header_block(*d);
    REQUIRE(back.ok());
    CHECK(sorted(*back) == sorted({{"port", std::to_string(8000 + i)}, {"requestid", std::to_string(i)}, {"streamtype", "data"}}));
  }
  // An empty block (our SYN_REPLY) round-trips too.
  auto c = deflater.compress(spdy::encode_header_block({}));
  REQUIRE(c.ok());
  auto d = inflater.decompress(*c);
  REQUIRE(d.ok());
  CHECK(spdy::decode_header_block(*d)->empty());
}

TEST_CASE("header blocks: repeated names join with NUL and split back", "[streaming][spdy]") {
  auto block = spdy::encode_header_block({{"X-A", "1"}, {"x-a", "2"}, {"b", ""}});
  auto back = spdy::decode_header_block(block);
  REQUIRE(back.ok());
  CHECK(*back == spdy::HeaderList{{"x-a", "1"}, {"x-a", "2"}, {"b", ""}});
  CHECK_FALSE(spdy::decode_header_block(block.substr(0, block.size() - 3)).ok());
  CHECK_FALSE(spdy::decode_header_block("\xff\xff\xff\xff").ok());
}

TEST_CASE("corrupt compressed headers and oversized frames are errors, not crashes", "[streaming][spdy]") {
  HeaderInflater inflater;
  CHECK_FALSE(inflater.decompress("garbage that is not zlib").ok());
  spdy::FrameReader reader;
  reader.feed(unhex("8003000100ffffff"));
  CHECK_FALSE(reader.next(1 << 20).ok());
  CHECK_FALSE(spdy::parse_syn_stream(spdy::Frame{true, 3, 1, 0, 0, "short"}).ok());
  CHECK_FALSE(spdy::parse_window_update(spdy::Frame{true, 3, 9, 0, 0, "1234"}).ok());
}
