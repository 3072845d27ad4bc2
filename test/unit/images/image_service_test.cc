// ImageServiceImpl over a scripted registry and an in-memory store: what a pull writes, in
// which order it unpacks, which GC labels it sets, and how status/list/remove read it back.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test/fakes/fake_http_client.h"
#include "fake_image_store.h"
#include "runtime/images/image_service_impl.h"
#include "runtime/images/image_tree.h"
#include "runtime/images/importer.h"

using namespace nodeagent::runtime::images;
using namespace nodeagent::runtime::images::testing;
using nodeagent::ErrorCode;
using nodeagent::runtime::ImageInfo;
using nodeagent::runtime::RegistryAuth;
using nlohmann::json;

namespace {

const std::string kRegistry = "http://127.0.0.1:5000/v2/team/app/";

// A two-layer image behind a manifest list, served by the fake registry.
struct TestImage {
  std::string layer1 = "compressed-layer-1", layer2 = "compressed-layer-2";
  std::string diff1 = sha256_digest("tar-1"), diff2 = sha256_digest("tar-2");
  std::string config, manifest, index;
  std::string config_digest, manifest_digest, index_digest;

  TestImage() {
    config = json{{"os", "linux"}, {"architecture", "amd64"},
                  {"config", {{"Entrypoint", {"/bin/app"}}, {"Cmd", {"--serve"}}, {"Env", {"PATH=/bin", "MODE=test"}},
                              {"WorkingDir", "/srv"}, {"User", "65534"}, {"StopSignal", "SIGINT"}, {"Labels", {{"team", "x"}}}}},
                  {"rootfs", {{"type", "layers"}, {"diff_ids", {diff1, diff2}}}}}.dump();
    config_digest = sha256_digest(config);
    manifest = json{{"schemaVersion", 2}, {"mediaType", media_type::kOciManifest},
                    {"config", {{"mediaType", media_type::kOciConfig}, {"digest", config_digest}, {"size", config.size()}}},
                    {"layers", {{{"mediaType", media_type::kOciLayerGzip}, {"digest", sha256_digest(layer1)}, {"size", layer1.size()}},
                                {{"mediaType", media_type::kOciLayerGzip}, {"digest", sha256_digest(layer2)}, {"size", layer2.size()}}}}}
                   .dump();
    manifest_digest = sha256_digest(manifest);
    index = json{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex},
                 {"manifests", {{{"mediaType", media_type::kOciManifest}, {"digest", sha256_digest("arm")}, {"size", 3},
                                 {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}},
                                {{"mediaType", media_type::kOciManifest}, {"digest", manifest_digest}, {"size", manifest.size()},
                                 {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}}
                .dump();
    index_digest = sha256_digest(index);
  }

  void serve(FakeHttpClient& http) const {
    http.respond(kRegistry + "manifests/v1", 200, index, {{"content-type", media_type::kOciIndex}});
    http.respond(kRegistry + "manifests/" + index_digest, 200, index);
    http.respond(kRegistry + "manifests/" + manifest_digest, 200, manifest);
    http.respond(kRegistry + "blobs/" + config_digest, 200, config);
    http.respond(kRegistry + "blobs/" + sha256_digest(layer1), 200, layer1);
    http.respond(kRegistry + "blobs/" + sha256_digest(layer2), 200, layer2);
  }
};

struct Fixture {
  TestImage image;
  std::shared_ptr<FakeHttpClient> http = std::make_shared<FakeHttpClient>();
  std::shared_ptr<FakeImageStore> store = std::make_shared<FakeImageStore>();
  ImageServiceImpl service{store, http};

  Fixture() {
    image.serve(*http);
    store->diff_ids_by_layer[sha256_digest(image.layer1)] = image.diff1;
    store->diff_ids_by_layer[sha256_digest(image.layer2)] = image.diff2;
  }
};

}  // namespace

TEST_CASE("pull writes content, unpacks by chain ID, labels for GC, records the image", "[images][pull]") {
  Fixture f;
  auto info = f.service.pull_image("127.0.0.1:5000/team/app:v1", RegistryAuth{});
  REQUIRE(info.ok());
  const std::string name = "127.0.0.1:5000/team/app:v1";
  auto chain = chain_ids({f.image.diff1, f.image.diff2});

  CHECK(info->id == f.image.config_digest);
  CHECK(info->repo_tags == std::vector<std::string>{name});
  CHECK(info->repo_digests == std::vector<std::string>{"127.0.0.1:5000/team/app@" + f.image.index_digest});
  CHECK(info->size == static_cast<int64_t>(f.image.layer1.size() + f.image.layer2.size()));
  CHECK(info->chain_id == chain[1]);
  CHECK(info->config.entrypoint == std::vector<std::string>{"/bin/app"});
  CHECK(info->config.cmd == std::vector<std::string>{"--serve"});
  CHECK(info->config.env == std::vector<std::string>{"PATH=/bin", "MODE=test"});
  CHECK(info->config.working_dir == "/srv");
  CHECK(info->config.user == "65534");
  CHECK(info->config.stop_signal == "SIGINT");
  CHECK(info->config.labels.at("team") == "x");

  // index, manifest, config, 2 layers; the arm64 manifest is not fetched.
  CHECK(f.store->writes == 5);
  CHECK(f.http->count(kRegistry + "manifests/" + sha256_digest("arm")) == 0);
  REQUIRE(f.store->snapshots.count(chain[0]));
  REQUIRE(f.store->snapshots.count(chain[1]));
  CHECK(f.store->snapshots[chain[0]].parent.empty());
  CHECK(f.store->snapshots[chain[1]].parent == chain[0]);

  auto& labels = f.store->blobs;
  CHECK(labels[f.image.config_digest].labels.at("containerd.io/gc.ref.snapshot.overlayfs") == chain[1]);
  CHECK(labels[f.image.manifest_digest].labels.at("containerd.io/gc.ref.content.config") == f.image.config_digest);
  CHECK(labels[f.image.manifest_digest].labels.at("containerd.io/gc.ref.content.l.1") == sha256_digest(f.image.layer2));
  CHECK(labels[f.image.index_digest].labels.at("containerd.io/gc.ref.content.m.1") == f.image.manifest_digest);
  CHECK(labels[sha256_digest(f.image.layer1)].labels.at("containerd.io/uncompressed") == f.image.diff1);

  REQUIRE(f.store->images.count(name));
  CHECK(f.store->images[name].target.digest == f.image.index_digest);
  CHECK(f.store->images[name].target.media_type == media_type::kOciIndex);
  CHECK(f.store->leases_open == 0);
}

TEST_CASE("a second pull fetches only the manifest and writes nothing", "[images][pull]") {
  Fixture f;
  REQUIRE(f.service.pull_image("127.0.0.1:5000/team/app:v1", {}).ok());
  size_t requests = f.http->requests.size();
  int writes = f.store->writes, applies = f.store->applies;
  REQUIRE(f.service.pull_image("127.0.0.1:5000/team/app:v1", {}).ok());
  CHECK(f.store->writes == writes);
  CHECK(f.store->applies == applies);
  CHECK(f.http->count(kRegistry + "blobs/" + sha256_digest(f.image.layer1)) == 1);
  CHECK(f.http->count(kRegistry + "blobs/" + f.image.config_digest) == 1);
  CHECK(f.http->count(kRegistry + "manifests/" + f.image.manifest_digest) == 1);
  CHECK(f.http->requests.size() == requests + 1);  // only the tag's manifest again
}

TEST_CASE("pull by digest names the image by digest", "[images][pull]") {
  Fixture f;
  auto info = f.service.pull_image("127.0.0.1:5000/team/app@" + f.image.index_digest, {});
  REQUIRE(info.ok());
  CHECK(info->repo_tags.empty());
  CHECK(f.store->images.count("127.0.0.1:5000/team/app@" + f.image.index_digest));
}

TEST_CASE("a layer whose content does not match its diff_id fails the pull", "[images][pull]") {
  Fixture f;
  f.store->diff_ids_by_layer[sha256_digest(f.image.layer2)] = sha256_digest("something else");
  auto info = f.service.pull_image("127.0.0.1:5000/team/app:v1", {});
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().code == ErrorCode::kInvalid);
  CHECK(info.error().message.find("diff_id") != std::string::npos);
  CHECK(f.store->images.empty());
  CHECK(f.store->leases_open == 0);
}

TEST_CASE("a corrupt blob from the registry is never committed", "[images][pull]") {
  Fixture f;
  f.http->respond(kRegistry + "blobs/" + sha256_digest(f.image.layer2), 200, "compressed-layer-X");
  auto info = f.service.pull_image("127.0.0.1:5000/team/app:v1", {});
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().code == ErrorCode::kInvalid);
  CHECK_FALSE(f.store->blobs.count(sha256_digest(f.image.layer2)));
  CHECK(f.store->images.empty());
}

TEST_CASE("status, list and remove read back what was pulled", "[images][status]") {
  Fixture f;
  auto missing = f.service.image_status("127.0.0.1:5000/team/app:v1");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);

  REQUIRE(f.service.pull_image("127.0.0.1:5000/team/app:v1", {}).ok());
  REQUIRE(f.service.pull_image("127.0.0.1:5000/team/app@" + f.image.index_digest, {}).ok());

  auto status = f.service.image_status("127.0.0.1:5000/team/app:v1");
  REQUIRE(status.ok());
  CHECK(status->id == f.image.config_digest);
  auto by_id = f.service.image_status(f.image.config_digest);
  REQUIRE(by_id.ok());
  CHECK(by_id->repo_tags == std::vector<std::string>{"127.0.0.1:5000/team/app:v1"});

  auto list = f.service.list_images();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);  // two names, one image
  CHECK(list->front().repo_digests == std::vector<std::string>{"127.0.0.1:5000/team/app@" + f.image.index_digest});

  REQUIRE(f.service.remove_image("127.0.0.1:5000/team/app:v1").ok());
  CHECK(f.store->images.empty());  // every name of that image
  CHECK(f.service.image_status("127.0.0.1:5000/team/app:v1").error().code == ErrorCode::kNotFound);
  CHECK(f.service.remove_image("127.0.0.1:5000/team/app:v1").ok());  // idempotent, like CRI
  CHECK(f.service.remove_image("Not A Ref").error().code == ErrorCode::kInvalid);
}

TEST_CASE("archive image names", "[images][import]") {
  using L = nodeagent::runtime::Labels;
  const char* ref = kRefNameAnnotation;
  CHECK(archive_image_name(L{{ref, "example.com/a/b:v2"}}, "", 1).value() == "example.com/a/b:v2");
  CHECK(archive_image_name(L{{kContainerdNameAnnotation, "busybox:1"}, {ref, "1"}}, "", 1).value() ==
        "docker.io/library/busybox:1");
  // Only a tag in the archive: the caller's name supplies the repository.
  CHECK(archive_image_name(L{{ref, "latest"}}, "test/busybox", 1).value() == "docker.io/test/busybox:latest");
  CHECK(archive_image_name(L{{ref, "v3"}}, "127.0.0.1:5000/x", 1).value() == "127.0.0.1:5000/x:v3");
  // An explicit name overrides the archive's.
  CHECK(archive_image_name(L{{ref, "example.com/a/b:v2"}}, "mine:v9", 1).value() == "docker.io/library/mine:v9");
  CHECK(archive_image_name(L{}, "mine", 1).value() == "docker.io/library/mine:latest");

  auto unnamed = archive_image_name(L{{ref, "latest"}}, "", 1);
  REQUIRE_FALSE(unnamed.ok());
  CHECK(unnamed.error().code == ErrorCode::kInvalid);
  CHECK(unnamed.error().message.find("a name must be given") != std::string::npos);
  CHECK_FALSE(archive_image_name(L{}, "", 1).ok());
  CHECK_FALSE(archive_image_name(L{{ref, "latest"}}, "Bad Name", 1).ok());
}

TEST_CASE("records with short names made by other clients are found as written", "[images][status]") {
  Fixture f;
  REQUIRE(f.service.pull_image("127.0.0.1:5000/team/app:v1", {}).ok());
  f.store->images["test/app:latest"] = ImageRecord{"test/app:latest", {}, f.store->images["127.0.0.1:5000/team/app:v1"].target};
  auto status = f.service.image_status("test/app:latest");
  REQUIRE(status.ok());
  CHECK(status->id == f.image.config_digest);
  CHECK(f.service.image_status("test/other:latest").error().code == ErrorCode::kNotFound);
}

TEST_CASE("the platform option chooses the manifest of an index", "[images][pull]") {
  Fixture f;
  ImageServiceOptions options;
  options.platform = Platform{"linux", "s390x", ""};
  ImageServiceImpl s390x(f.store, f.http, options);
  auto none = s390x.pull_image("127.0.0.1:5000/team/app:v1", {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::kNotFound);
  CHECK(none.error().message.find("linux/s390x") != std::string::npos);

  options.platform = Platform{"linux", "arm64", "v8"};
  ImageServiceImpl arm64(f.store, f.http, options);
  REQUIRE_FALSE(arm64.pull_image("127.0.0.1:5000/team/app:v1", {}).ok());
  CHECK(f.http->count(kRegistry + "manifests/" + sha256_digest("arm")) == 1);  // asked for the arm64 one
  CHECK(f.store->images.empty());
}
