// Helpers shared by the image integration tests: an ImageService over the namespace's
// containerd with an HTTP client that counts requests, and direct looks at containerd state.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "runtime/images/containerd_image_store.h"
#include "util/http/curl_http_client.h"
#include "runtime/images/image_service_impl.h"
#include "test/support/containerd_fixture.h"

namespace nodeagent::runtime::images::testing {

// Passes requests to curl and counts blob downloads.
class CountingHttpClient : public http::HttpClient {
 public:
  Result<http::HttpResponse> send(const http::HttpRequest& request, const http::BodySink& sink) override {
    if (request.url.find("/blobs/") != std::string::npos) ++blob_requests;
    ++requests;
    return curl_.send(request, sink);
  }
  std::atomic<int> requests{0};
  std::atomic<int> blob_requests{0};

 private:
  http::CurlHttpClient curl_;
};

struct ServiceUnderTest {
  explicit ServiceUnderTest(nodeagent::testing::ContainerdNamespace& ns)
      : store(std::make_shared<ContainerdImageStore>(ns.connection())),
        http(std::make_shared<CountingHttpClient>()),
        service(store, http) {}

  std::shared_ptr<ContainerdImageStore> store;
  std::shared_ptr<CountingHttpClient> http;
  ImageServiceImpl service;
};

// Runs containerd's garbage collector now: deleting a lease with sync=true collects synchronously.
inline void run_gc(nodeagent::testing::ContainerdNamespace& ns) {
  auto lease = ctd::Lease::create(ns.connection());
  if (lease.ok()) lease->release().ignore_error();
}

// `ctr images check` for one image: containerd's own client judging completeness and unpack.
inline std::string ctr_check(nodeagent::testing::ContainerdNamespace& ns, const std::string& name) {
  auto r = nodeagent::testing::run_command("ctr --address " + nodeagent::testing::ContainerdFixture::instance().socket() +
                                           " -n " + ns.name() + " images check name==" + name);
  return r.output;
}

}  // namespace nodeagent::runtime::images::testing

#include <nlohmann/json.hpp>

namespace nodeagent::runtime::images::testing {

// What the test archive contains, read independently of the code under test (tar + JSON).
struct ArchiveFacts {
  std::string manifest_digest;
  std::string config_digest;
  std::string layer_digest;
  int64_t layer_size = 0;
  std::string diff_id;
  nlohmann::json config;

  static ArchiveFacts read(const std::string& archive) {
    using nodeagent::testing::run_command;
    auto json_of = [&](const std::string& member) {
      return nlohmann::json::parse(run_command("tar -xOf " + archive + " " + member).output);
    };
    ArchiveFacts f;
    auto index = json_of("./index.json");
    f.manifest_digest = index["manifests"][0]["digest"];
    auto manifest = json_of("./blobs/sha256/" + f.manifest_digest.substr(7));
    f.config_digest = manifest["config"]["digest"];
    f.layer_digest = manifest["layers"][0]["digest"];
    f.layer_size = manifest["layers"][0]["size"];
    f.config = json_of("./blobs/sha256/" + f.config_digest.substr(7));
    f.diff_id = f.config["rootfs"]["diff_ids"][0];
    return f;
  }
};

}  // namespace nodeagent::runtime::images::testing
