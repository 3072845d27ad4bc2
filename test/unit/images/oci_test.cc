// OCI/Docker document parsing, platform selection from indexes, and chain IDs.
#include <catch2/catch.hpp>

#include "runtime/images/digest.h"
#include "runtime/images/oci.h"

using namespace nodeagent::runtime::images;
using nodeagent::ErrorCode;

namespace {
const std::string kA = "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";  // sha256("a")
const std::string kB = "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";  // sha256("b")
const std::string kC = "sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6";  // sha256("c")

std::string entry(const std::string& digest, const std::string& os, const std::string& arch, const std::string& variant = "") {
  return R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":")" + digest +
         R"(","size":10,"platform":{"os":")" + os + R"(","architecture":")" + arch + R"(")" +
         (variant.empty() ? "" : R"(,"variant":")" + variant + "\"") + "}}";
}
}  // namespace

TEST_CASE("sha256 digests match known vectors", "[images][oci]") {
  CHECK(sha256_digest("a") == kA);
  Sha256Stream s;
  s.update("");
  s.update("a");
  CHECK(s.bytes() == 1);
  CHECK(s.finish() == kA);
}

TEST_CASE("chain IDs follow sha256(parent + ' ' + diff_id)", "[images][oci]") {
  // Expected values computed independently with sha256sum.
  auto chain = chain_ids({kA, kB, kC});
  REQUIRE(chain.size() == 3);
  CHECK(chain[0] == kA);
  CHECK(chain[1] == "sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676");
  CHECK(chain[2] == "sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106");
  CHECK(chain_ids({}).empty());
}

TEST_CASE("manifest list selection picks linux/amd64", "[images][oci]") {
  std::string list = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[)" +
                     entry(kA, "linux", "arm", "v7") + "," + entry(kB, "windows", "amd64") + "," +
                     entry(kC, "linux", "amd64") + "]}";
  REQUIRE(detect_media_type(list).value() == media_type::kDockerManifestList);
  auto index = parse_index(list);
  REQUIRE(index.ok());
  REQUIRE(index->manifests.size() == 3);
  auto chosen = select_platform(*index);
  REQUIRE(chosen.ok());
  CHECK(chosen->digest == kC);
  auto arm = select_platform(*index, "linux", "arm");
  REQUIRE(arm.ok());
  CHECK(arm->digest == kA);

  auto none = select_platform(*index, "linux", "s390x");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::kNotFound);
  CHECK(none.error().message.find("linux/s390x") != std::string::npos);
  CHECK(none.error().message.find("linux/arm/v7") != std::string::npos);
}

TEST_CASE("arm64 prefers the v8 variant", "[images][oci]") {
  std::string list = R"({"manifests":[)" + entry(kA, "linux", "arm64", "v9") + "," + entry(kB, "linux", "arm64", "v8") + "]}";
  CHECK(detect_media_type(list).value() == media_type::kOciIndex);
  CHECK(select_platform(parse_index(list).value(), "linux", "arm64")->digest == kB);
}

TEST_CASE("manifest and config parse; bad fields are named", "[images][oci]") {
  std::string manifest = R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + kA +
                         R"(","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + kB +
                         R"(","size":100}]})";
  CHECK(detect_media_type(manifest).value() == media_type::kOciManifest);
  auto m = parse_manifest(manifest);
  REQUIRE(m.ok());
  CHECK(m->config.digest == kA);
  REQUIRE(m->layers.size() == 1);
  CHECK(m->layers[0].size == 100);

  auto bad = parse_manifest(R"({"config":{"digest":"sha256:zz","size":1},"layers":[]})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("config.digest") != std::string::npos);
  auto bad_size = parse_manifest(R"({"config":{"digest":")" + kA + R"(","size":-1},"layers":[]})");
  REQUIRE_FALSE(bad_size.ok());
  CHECK(bad_size.error().message.find("config.size") != std::string::npos);
  CHECK_FALSE(parse_manifest("not json").ok());
  CHECK_FALSE(detect_media_type(R"({"foo":1})").ok());

  auto config = parse_config(R"({"os":"linux","architecture":"amd64","config":{"Entrypoint":["/bin/sh","-c"],"Cmd":["echo hi"],
      "Env":["PATH=/bin","A=b"],"WorkingDir":"/w","User":"1000:1000","StopSignal":"SIGQUIT","Labels":{"k":"v"}},
      "rootfs":{"type":"layers","diff_ids":[")" + kA + R"("]}})");
  REQUIRE(config.ok());
  CHECK(config->config.entrypoint == std::vector<std::string>{"/bin/sh", "-c"});
  CHECK(config->config.cmd == std::vector<std::string>{"echo hi"});
  CHECK(config->config.env == std::vector<std::string>{"PATH=/bin", "A=b"});
  CHECK(config->config.working_dir == "/w");
  CHECK(config->config.user == "1000:1000");
  CHECK(config->config.stop_signal == "SIGQUIT");
  CHECK(config->config.labels.at("k") == "v");
  CHECK(config->diff_ids == std::vector<std::string>{kA});
  CHECK_FALSE(parse_config(R"({"os":"linux"})").ok());
}

TEST_CASE("host platform is linux with a GOARCH name", "[images][oci]") {
  Platform p = host_platform();
  CHECK(p.os == "linux");
  CHECK_FALSE(p.architecture.empty());
  CHECK(p.architecture != "x86_64");
  CHECK(p.architecture != "aarch64");
}
