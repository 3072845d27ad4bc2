// Importing OCI archives into a real containerd: naming rules, digest checks, and agreement
// with the same image pulled from a registry.
#include <catch2/catch.hpp>

#include <filesystem>

#include "image_test_support.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::runtime::images;
using namespace nodeagent::runtime::images::testing;
using nodeagent::ErrorCode;
using nodeagent::testing::ContainerdFixture;
using nodeagent::testing::ContainerdNamespace;
using nodeagent::testing::run_command;
using nodeagent::testing::TempDir;

TEST_CASE("import with a name, and the archive's tag kept", "[images][integration][import]") {
  ContainerdNamespace ns("naimp");
  ServiceUnderTest t(ns);
  std::string archive = ContainerdFixture::test_image_archive();
  auto facts = ArchiveFacts::read(archive);

  auto imported = t.service.import_archive(archive, "test/imported");
  REQUIRE(imported.ok());
  REQUIRE(imported->size() == 1);
  const auto& info = imported->front();
  CHECK(info.repo_tags == std::vector<std::string>{"docker.io/test/imported:latest"});
  CHECK(info.id == facts.config_digest);
  CHECK(info.chain_id == facts.diff_id);
  CHECK(info.config.cmd == std::vector<std::string>{"/bin/sh"});

  run_gc(ns);
  CHECK(t.store->snapshot_exists(info.chain_id).value());
  auto status = t.service.image_status("test/imported");
  REQUIRE(status.ok());
  CHECK(status->id == facts.config_digest);
  std::string check = ctr_check(ns, "docker.io/test/imported:latest");
  INFO(check);
  CHECK(check.find("complete") != std::string::npos);

  // Importing again is harmless and changes nothing.
  REQUIRE(t.service.import_archive(archive, "test/imported").ok());
  CHECK(t.service.list_images().value().size() == 1);
}

TEST_CASE("import without a name: from the archive, or a clear error", "[images][integration][import]") {
  ContainerdNamespace ns("naimp");
  ServiceUnderTest t(ns);
  TempDir scratch("na-imgtest");  // derived archives
  std::string archive = ContainerdFixture::test_image_archive();

  // umoci's archive names only the tag ("latest").
  auto unnamed = t.service.import_archive(archive, "");
  REQUIRE_FALSE(unnamed.ok());
  CHECK(unnamed.error().code == ErrorCode::kInvalid);
  CHECK(unnamed.error().message.find("a name must be given") != std::string::npos);
  CHECK(unnamed.error().message.find(archive) != std::string::npos);
  CHECK(t.service.list_images().value().empty());

  // skopeo writes the whole reference into org.opencontainers.image.ref.name.
  std::string named = scratch.path() + "/named.tar";
  auto r = run_command("skopeo --insecure-policy copy oci-archive:" + archive + " oci-archive:" + named +
                       ":example.com/test/busybox:v1");
  REQUIRE(r.exit_code == 0);
  auto imported = t.service.import_archive(named, "");
  REQUIRE(imported.ok());
  REQUIRE(imported->size() == 1);
  CHECK(imported->front().repo_tags == std::vector<std::string>{"example.com/test/busybox:v1"});

  auto missing = t.service.import_archive(scratch.path() + "/does-not-exist.tar", "x");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("an archive whose layer does not match its digest is rejected", "[images][integration][import]") {
  ContainerdNamespace ns("naimp");
  ServiceUnderTest t(ns);
  TempDir scratch("na-imgtest");  // derived archives
  std::string archive = ContainerdFixture::test_image_archive();
  auto facts = ArchiveFacts::read(archive);

  // Flip bytes in the middle of the layer blob, keeping its name and size.
  std::string layout = scratch.path() + "/layout";
  std::string blob = layout + "/blobs/sha256/" + facts.layer_digest.substr(7);
  REQUIRE(run_command("mkdir -p " + layout + " && tar -C " + layout + " -xf " + archive).exit_code == 0);
  REQUIRE(run_command("printf 'XXXX' | dd of=" + blob + " bs=1 seek=1000 conv=notrunc status=none").exit_code == 0);
  std::string bad = scratch.path() + "/bad.tar";
  REQUIRE(run_command("tar -C " + layout + " -cf " + bad + " .").exit_code == 0);

  auto imported = t.service.import_archive(bad, "test/bad");
  REQUIRE_FALSE(imported.ok());
  CHECK(imported.error().code == ErrorCode::kInvalid);
  CHECK(imported.error().message.find(facts.layer_digest) != std::string::npos);
  CHECK(t.service.image_status("test/bad").error().code == ErrorCode::kNotFound);
  CHECK_FALSE(t.store->content_info(facts.layer_digest).value().has_value());
}

TEST_CASE("a docker-save archive imports under its RepoTags", "[images][integration][import]") {
  ContainerdNamespace ns("naimp");
  ServiceUnderTest t(ns);
  TempDir scratch("na-imgtest");  // derived archives
  std::string archive = ContainerdFixture::test_image_archive();
  auto facts = ArchiveFacts::read(archive);

  // Rebuild the test image the way `docker save` lays it out: uncompressed layer.tar files.
  const std::string oci = scratch.path() + "/oci", saved = scratch.path() + "/saved";
  const std::string config_hex = facts.config_digest.substr(7), layer_hex = facts.layer_digest.substr(7);
  std::string script = "mkdir -p " + oci + " " + saved + "/0123abcd && tar -C " + oci + " -xf " + archive +
                       " && cp " + oci + "/blobs/sha256/" + config_hex + " " + saved + "/" + config_hex + ".json" +
                       " && gunzip -c < " + oci + "/blobs/sha256/" + layer_hex + " > " + saved + "/0123abcd/layer.tar" +
                       " && printf '[{\"Config\":\"" + config_hex + ".json\",\"RepoTags\":[\"saved/busybox:v2\"],\"Layers\":[\"0123abcd/layer.tar\"]}]' > " +
                       saved + "/manifest.json && tar -C " + saved + " -cf " + scratch.path() + "/saved.tar .";
  auto r = run_command(script);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);

  auto imported = t.service.import_archive(scratch.path() + "/saved.tar", "");
  REQUIRE(imported.ok());
  REQUIRE(imported->size() == 1);
  const auto& info = imported->front();
  CHECK(info.repo_tags == std::vector<std::string>{"docker.io/saved/busybox:v2"});
  CHECK(info.id == facts.config_digest);
  CHECK(info.chain_id == facts.diff_id);
  run_gc(ns);
  CHECK(t.store->snapshot_exists(info.chain_id).value());
  std::string check = ctr_check(ns, "docker.io/saved/busybox:v2");
  INFO(check);
  CHECK(check.find("complete") != std::string::npos);
}
