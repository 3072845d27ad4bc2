// Registry protocol against a scripted HTTP client: auth challenges, digest checks, errors.
#include <catch2/catch.hpp>

#include "test/fakes/fake_http_client.h"
#include "runtime/images/digest.h"
#include "runtime/images/registry_client.h"

using namespace nodeagent::runtime::images;
using namespace nodeagent::runtime::images::testing;
using nodeagent::ErrorCode;
using nodeagent::runtime::RegistryAuth;

namespace {

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb","size":1},"layers":[]})";

ImageReference ref(const std::string& s) { return parse_reference(s).value(); }

}  // namespace

TEST_CASE("plain HTTP only for loopback and insecure registries", "[images][registry]") {
  FakeHttpClient http;
  RegistryClient client(http, RegistryOptions{{"reg.local:5000"}});
  CHECK(client.base_url("127.0.0.1:5000") == "http://127.0.0.1:5000");
  CHECK(client.base_url("localhost") == "http://localhost");
  CHECK(client.base_url("reg.local:5000") == "http://reg.local:5000");
  CHECK(client.base_url("reg.local") == "https://reg.local");
  CHECK(client.base_url("docker.io") == "https://registry-1.docker.io");
}

TEST_CASE("anonymous bearer token dance, token reused", "[images][registry]") {
  FakeHttpClient http;
  const std::string url = "https://reg.example/v2/lib/app/manifests/v1";
  http.on(url, [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    if (has_header(r, "Authorization: Bearer T0K")) {
      return nodeagent::http::HttpResponse{200, {{"content-type", "application/vnd.oci.image.manifest.v1+json"}}, kManifest};
    }
    return nodeagent::http::HttpResponse{401, {{"www-authenticate", R"(Bearer realm="https://auth.example/token",service="reg.example",scope="repository:lib/app:pull")"}}, ""};
  });
  http.respond("https://auth.example/token?service=reg.example&scope=repository%3Alib%2Fapp%3Apull", 200, R"({"token":"T0K"})");
  RegistryClient client(http, {});

  auto m = client.fetch_manifest(ref("reg.example/lib/app:v1"), "v1", RegistryAuth{});
  REQUIRE(m.ok());
  CHECK(m->descriptor.digest == sha256_digest(kManifest));
  CHECK(m->descriptor.media_type == media_type::kOciManifest);
  CHECK(m->descriptor.size == static_cast<int64_t>(kManifest.size()));
  REQUIRE(http.requests.size() == 3);
  CHECK(http.requests[1].username.empty());  // anonymous token
  CHECK(has_header(http.requests[0], "Accept: " + manifest_accept_header()));

  // The token is cached: one request this time.
  REQUIRE(client.fetch_manifest(ref("reg.example/lib/app:v1"), "v1", RegistryAuth{}).ok());
  CHECK(http.requests.size() == 4);
}

TEST_CASE("token endpoint gets the credentials; Basic challenge answered with them", "[images][registry]") {
  FakeHttpClient http;
  http.on("https://reg.example/v2/app/manifests/latest", [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    if (has_header(r, "Authorization: Bearer abc")) return nodeagent::http::HttpResponse{200, {}, kManifest};
    return nodeagent::http::HttpResponse{401, {{"www-authenticate", R"(Bearer realm="https://auth.example/token")"}}, ""};
  });
  http.on("https://auth.example/token?scope=repository%3Aapp%3Apull", [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    if (r.username == "u" && r.password == "p") return nodeagent::http::HttpResponse{200, {}, R"({"access_token":"abc"})"};
    return nodeagent::http::HttpResponse{401, {}, ""};
  });
  RegistryClient client(http, {});
  REQUIRE(client.fetch_manifest(ref("reg.example/app"), "latest", RegistryAuth{"u", "p", ""}).ok());

  FakeHttpClient basic_http;
  basic_http.on("http://127.0.0.1:5000/v2/app/manifests/latest", [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    if (has_header(r, "Authorization: Basic dTpw")) return nodeagent::http::HttpResponse{200, {}, kManifest};  // base64("u:p")
    return nodeagent::http::HttpResponse{401, {{"www-authenticate", R"(Basic realm="Registry Realm")"}}, ""};
  });
  RegistryClient basic(basic_http, {});
  REQUIRE(basic.fetch_manifest(ref("127.0.0.1:5000/app"), "latest", RegistryAuth{"u", "p", ""}).ok());
  // Without credentials the 401 stands and is reported as such.
  RegistryClient anonymous(basic_http, {});
  auto denied = anonymous.fetch_manifest(ref("127.0.0.1:5000/app"), "latest", RegistryAuth{});
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == ErrorCode::kFailedPrecondition);
  CHECK(denied.error().message.find("HTTP 401") != std::string::npos);
}

TEST_CASE("an identity token is exchanged with an OAuth2 refresh-token POST", "[images][registry]") {
  FakeHttpClient http;
  http.on("https://reg.example/v2/app/manifests/latest", [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    if (has_header(r, "Authorization: Bearer fresh")) return nodeagent::http::HttpResponse{200, {}, kManifest};
    return nodeagent::http::HttpResponse{401, {{"www-authenticate", R"(Bearer realm="https://auth.example/token",service="reg")"}}, ""};
  });
  http.on("https://auth.example/token", [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    bool ok = r.form.find("grant_type=refresh_token") != std::string::npos &&
              r.form.find("refresh_token=r%2Ftok") != std::string::npos && r.form.find("service=reg") != std::string::npos &&
              r.username.empty();
    return ok ? nodeagent::http::HttpResponse{200, {}, R"({"access_token":"fresh"})"} : nodeagent::http::HttpResponse{400, {}, ""};
  });
  RegistryClient client(http, {});
  REQUIRE(client.fetch_manifest(ref("reg.example/app"), "latest", RegistryAuth{"", "", "r/tok"}).ok());
}

TEST_CASE("manifest digests are verified", "[images][registry]") {
  FakeHttpClient http;
  const std::string real = sha256_digest(kManifest);
  const std::string other = sha256_digest("other");
  http.respond("http://127.0.0.1:5000/v2/app/manifests/" + other, 200, kManifest);
  http.respond("http://127.0.0.1:5000/v2/app/manifests/lying", 200, kManifest, {{"docker-content-digest", other}});
  http.respond("http://127.0.0.1:5000/v2/app/manifests/honest", 200, kManifest, {{"docker-content-digest", real}});
  RegistryClient client(http, {});
  auto by_digest = client.fetch_manifest(ref("127.0.0.1:5000/app"), other, {});
  REQUIRE_FALSE(by_digest.ok());
  CHECK(by_digest.error().code == ErrorCode::kInvalid);
  auto lying = client.fetch_manifest(ref("127.0.0.1:5000/app"), "lying", {});
  REQUIRE_FALSE(lying.ok());
  CHECK(lying.error().message.find("registry says") != std::string::npos);
  CHECK(client.fetch_manifest(ref("127.0.0.1:5000/app"), "honest", {}).ok());
}

TEST_CASE("blobs are streamed and verified; errors map to codes", "[images][registry]") {
  FakeHttpClient http;
  const std::string blob = "layer-bytes";
  Descriptor good{media_type::kOciLayerGzip, sha256_digest(blob), static_cast<int64_t>(blob.size()), {}, {}};
  Descriptor wrong_digest{media_type::kOciLayerGzip, sha256_digest("x"), static_cast<int64_t>(blob.size()), {}, {}};
  Descriptor wrong_size{media_type::kOciLayerGzip, sha256_digest(blob), 3, {}, {}};
  http.respond("http://127.0.0.1:5000/v2/app/blobs/" + good.digest, 200, blob);
  http.respond("http://127.0.0.1:5000/v2/app/blobs/" + wrong_digest.digest, 200, blob);
  http.respond("http://127.0.0.1:5000/v2/app/manifests/broken", 503, R"({"errors":[{"code":"UNAVAILABLE","message":"down"}]})");
  http.on("http://127.0.0.1:5000/v2/app/manifests/refused", [](const nodeagent::http::HttpRequest& r) -> nodeagent::Result<nodeagent::http::HttpResponse> {
    return nodeagent::unavailable("GET " + r.url + ": Couldn't connect to server");
  });
  RegistryClient client(http, {});
  auto image = ref("127.0.0.1:5000/app");

  std::string got;
  auto collect = [&got](std::string_view c) { got.append(c); return nodeagent::ok_status(); };
  REQUIRE(client.fetch_blob(image, good, {}, collect).ok());
  CHECK(got == blob);

  auto bad = client.fetch_blob(image, wrong_digest, {}, collect);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalid);
  CHECK(bad.error().message.find("content has digest " + good.digest) != std::string::npos);
  auto small = client.fetch_blob(image, wrong_size, {}, collect);
  REQUIRE_FALSE(small.ok());
  CHECK(small.error().code == ErrorCode::kInvalid);

  auto missing = client.fetch_manifest(image, "nope", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  auto down = client.fetch_manifest(image, "broken", {});
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code == ErrorCode::kUnavailable);
  CHECK(down.error().message.find("UNAVAILABLE: down") != std::string::npos);
  auto refused = client.fetch_manifest(image, "refused", {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(refused.error().message.find("registry 127.0.0.1:5000") != std::string::npos);
}
