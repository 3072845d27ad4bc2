// Pulling from a real docker-registry into a real containerd: content, snapshots and labels
// must be right enough that containerd's own GC and `ctr images check` agree with us.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "image_test_support.h"
#include "runtime/images/digest.h"
#include "test/support/registry_fixture.h"

using namespace nodeagent::runtime::images;
using namespace nodeagent::runtime::images::testing;
using nodeagent::ErrorCode;
using nodeagent::testing::ContainerdFixture;
using nodeagent::testing::ContainerdNamespace;
using nodeagent::testing::RegistryFixture;

namespace {

// One registry with the busybox test image for the whole test binary.
struct SharedRegistry {
  RegistryFixture registry;
  std::string archive = ContainerdFixture::test_image_archive();
  ArchiveFacts facts = ArchiveFacts::read(archive);
  std::string index_digest;  // of busybox:multi, an image index over the same manifest

  SharedRegistry() {
    registry.push(archive, "busybox:latest");
    push_index();
  }

  // Wraps the test image's manifest in an OCI image index (linux/arm64 first, linux/amd64
  // second, both the same manifest) and pushes it as busybox:multi with skopeo --all.
  void push_index() {
    std::string layout = registry.dir() + "/multi-layout";
    auto r = nodeagent::testing::run_command("mkdir -p " + layout + " && tar -C " + layout + " -xf " + archive);
    if (r.exit_code != 0) throw std::runtime_error(r.output);
    auto old_index = nlohmann::json::parse(std::ifstream(layout + "/index.json"));
    nlohmann::json manifest = old_index["manifests"][0];
    manifest.erase("annotations");
    nlohmann::json arm = manifest, amd = manifest;
    arm["platform"] = {{"os", "linux"}, {"architecture", "arm64"}};
    amd["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
    std::string index = nlohmann::json{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", {arm, amd}}}.dump();
    index_digest = sha256_digest(index);
    std::ofstream(layout + "/blobs/sha256/" + index_digest.substr(7)) << index;
    nlohmann::json top = {{"schemaVersion", 2},
                          {"manifests", {{{"mediaType", media_type::kOciIndex}, {"digest", index_digest}, {"size", index.size()},
                                          {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}}}}};
    std::ofstream(layout + "/index.json") << top.dump();
    r = nodeagent::testing::run_command("skopeo --insecure-policy copy --all --dest-tls-verify=false oci:" + layout +
                                        ":multi docker://" + registry.host() + "/busybox:multi");
    if (r.exit_code != 0) throw std::runtime_error("skopeo push of the index: " + r.output);
  }
};

SharedRegistry& shared() {
  static SharedRegistry instance;
  return instance;
}

}  // namespace

TEST_CASE("pull by tag: content, snapshot, labels and status from a real registry", "[images][integration]") {
  auto& reg = shared();
  ContainerdNamespace ns("naimg");
  ServiceUnderTest t(ns);
  const std::string name = reg.registry.host() + "/busybox:latest";

  auto info = t.service.pull_image(name, {});
  REQUIRE(info.ok());
  CHECK(info->id == reg.facts.config_digest);
  CHECK(info->repo_tags == std::vector<std::string>{name});
  CHECK(info->repo_digests == std::vector<std::string>{reg.registry.host() + "/busybox@" + reg.facts.manifest_digest});
  CHECK(info->size == reg.facts.layer_size);
  CHECK(info->chain_id == reg.facts.diff_id);  // one layer: the chain ID is its diff ID
  CHECK(info->config.cmd == std::vector<std::string>{"/bin/sh"});
  CHECK(info->config.entrypoint.empty());
  CHECK(info->config.working_dir == "/");
  REQUIRE_FALSE(info->config.env.empty());
  CHECK(info->config.env[0].rfind("PATH=", 0) == 0);

  // The pull's lease is gone and its deletion ran the GC: what survives is held by the labels.
  run_gc(ns);
  CHECK(t.store->snapshot_exists(info->chain_id).value());
  auto config = t.store->content_info(reg.facts.config_digest).value();
  REQUIRE(config);
  CHECK(config->labels.at("containerd.io/gc.ref.snapshot.overlayfs") == info->chain_id);
  auto layer = t.store->content_info(reg.facts.layer_digest).value();
  REQUIRE(layer);
  CHECK(layer->labels.at("containerd.io/uncompressed") == reg.facts.diff_id);
  auto manifest = t.store->content_info(reg.facts.manifest_digest).value();
  REQUIRE(manifest);
  CHECK(manifest->labels.at("containerd.io/gc.ref.content.l.0") == reg.facts.layer_digest);

  // containerd's own client agrees the image is complete and unpacked.
  std::string check = ctr_check(ns, name);
  INFO(check);
  CHECK(check.find("complete") != std::string::npos);
  CHECK(check.find("true") != std::string::npos);

  auto status = t.service.image_status("127.0.0.1:" + std::to_string(reg.registry.port()) + "/busybox");
  REQUIRE(status.ok());
  CHECK(status->id == info->id);
  CHECK(status->config.cmd == info->config.cmd);
}

TEST_CASE("a second pull downloads no blobs; pull by digest", "[images][integration]") {
  auto& reg = shared();
  ContainerdNamespace ns("naimg");
  ServiceUnderTest t(ns);
  const std::string name = reg.registry.host() + "/busybox:latest";
  REQUIRE(t.service.pull_image(name, {}).ok());
  CHECK(t.http->blob_requests == 2);  // config + one layer
  REQUIRE(t.service.pull_image(name, {}).ok());
  CHECK(t.http->blob_requests == 2);

  const std::string by_digest = reg.registry.host() + "/busybox@" + reg.facts.manifest_digest;
  auto info = t.service.pull_image(by_digest, {});
  REQUIRE(info.ok());
  CHECK(t.http->blob_requests == 2);
  CHECK(info->id == reg.facts.config_digest);
  CHECK(info->repo_tags == std::vector<std::string>{name});  // the other name of the same image
  CHECK(t.store->get_image(by_digest).value().has_value());
  CHECK(t.service.list_images().value().size() == 1);
}

TEST_CASE("pull errors: unknown tag, unreachable registry, unknown local image", "[images][integration]") {
  auto& reg = shared();
  ContainerdNamespace ns("naimg");
  ServiceUnderTest t(ns);

  auto unknown = t.service.pull_image(reg.registry.host() + "/busybox:nope", {});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(unknown.error().message.find("busybox:nope") != std::string::npos);

  const std::string dead = "127.0.0.1:" + std::to_string(nodeagent::testing::unused_local_port());
  auto refused = t.service.pull_image(dead + "/busybox:latest", {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(refused.error().message.find("registry " + dead) != std::string::npos);

  auto status = t.service.image_status("docker.io/library/never-pulled:1");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kNotFound);
  CHECK(t.service.image_status("sha256:" + std::string(64, 'a')).error().code == ErrorCode::kNotFound);
  CHECK(t.service.list_images().value().empty());
}

TEST_CASE("remove drops every name and lets containerd collect the snapshot", "[images][integration]") {
  auto& reg = shared();
  ContainerdNamespace ns("naimg");
  ServiceUnderTest t(ns);
  const std::string name = reg.registry.host() + "/busybox:latest";
  auto info = t.service.pull_image(name, {});
  REQUIRE(info.ok());
  REQUIRE(t.service.pull_image(reg.registry.host() + "/busybox@" + reg.facts.manifest_digest, {}).ok());
  REQUIRE(t.service.list_images().value().size() == 1);

  REQUIRE(t.service.remove_image(info->id).ok());  // by image ID, as kubelet's image GC does
  CHECK(t.service.list_images().value().empty());
  CHECK(t.service.image_status(name).error().code == ErrorCode::kNotFound);
  CHECK(t.service.remove_image(name).ok());

  run_gc(ns);
  CHECK_FALSE(t.store->snapshot_exists(info->chain_id).value());
  CHECK_FALSE(t.store->content_info(reg.facts.layer_digest).value().has_value());
}

TEST_CASE("pull through an image index picks linux/amd64 and records the index", "[images][integration]") {
  auto& reg = shared();
  ContainerdNamespace ns("naimg");
  ServiceUnderTest t(ns);
  const std::string name = reg.registry.host() + "/busybox:multi";
  auto info = t.service.pull_image(name, {});
  REQUIRE(info.ok());
  CHECK(info->id == reg.facts.config_digest);
  CHECK(info->repo_digests == std::vector<std::string>{reg.registry.host() + "/busybox@" + reg.index_digest});
  auto record = t.store->get_image(name).value();
  REQUIRE(record);
  CHECK(record->target.digest == reg.index_digest);
  CHECK(record->target.media_type == media_type::kOciIndex);
  run_gc(ns);
  auto index = t.store->content_info(reg.index_digest).value();
  REQUIRE(index);
  CHECK(index->labels.at("containerd.io/gc.ref.content.m.1") == reg.facts.manifest_digest);
  CHECK(t.store->snapshot_exists(info->chain_id).value());
  std::string check = ctr_check(ns, name);
  INFO(check);
  CHECK(check.find("complete") != std::string::npos);
}
