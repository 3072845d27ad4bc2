// The node's client certificate: key and CSR, certificate facts, kubelet's TLS bootstrap
// against a scripted API server whose "signer" is a test CA, and the tokenFile re-read.
#include "kube/client/tls_bootstrap.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>

#include "kube/base64.h"
#include "kube/client/certificates.h"
#include "kube/client/kubeconfig.h"
#include "test/support/temp_dir.h"
#include "test/unit/kube/client/scripted_api.h"
#include "test/unit/kube/client/test_ca.h"

using namespace nodeagent;
using namespace nodeagent::kube::client;
using Catch::Matchers::Contains;
using nodeagent::kube::client::testing::json_response;
using nodeagent::kube::client::testing::ScriptedApi;
using nodeagent::kube::client::testing::TestCa;
using nodeagent::testing::TempDir;
using nodeagent::testing::slurp;

namespace {

// An API server that answers CSR create/get: `outcome` decides what a GET shows
// ("pending", "issued", "denied").
struct CsrServer {
  TestCa ca;
  std::string outcome = "issued";
  int gets_until_issued = 1;
  nlohmann::json created;
  int gets = 0;

  http::HttpResponse handle(const http::HttpRequest& r) {
    const std::string collection = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    if (r.method == "POST" && r.url.find(collection) != std::string::npos) {
      created = nlohmann::json::parse(r.body);
      return json_response(201, created.dump());
    }
    if (r.method == "GET" && r.url.find(collection + "/") != std::string::npos) {
      ++gets;
      nlohmann::json csr = created;
      if (outcome == "denied") {
        csr["status"] = {{"conditions", {{{"type", "Denied"}, {"reason", "NotMine"}, {"message", "go away"}}}}};
      } else if (outcome == "issued" && gets > gets_until_issued) {
        auto pem = *kube::base64_decode(created["spec"]["request"].get<std::string>());
        csr["status"] = {{"conditions", {{{"type", "Approved"}, {"status", "True"}}}},
                         {"certificate", kube::base64_encode(ca.sign(pem))}};
      }
      return json_response(200, csr.dump());
    }
    return json_response(404, "");
  }
};

std::string bootstrap_kubeconfig(const TempDir& dir, const TestCa& ca) {
  dir.write("ca.crt", ca.cert_pem);
  dir.write("bootstrap-kubeconfig", "apiVersion: v1\nkind: Config\n"
                                    "clusters: [{name: c, cluster: {server: 'https://10.250.0.1:6443', certificate-authority: ca.crt}}]\n"
                                    "users: [{name: boot, user: {token: abcdef.0123456789abcdef}}]\n"
                                    "contexts: [{name: boot, context: {cluster: c, user: boot}}]\n"
                                    "current-context: boot\n");
  return dir.file("bootstrap-kubeconfig");
}

// A bootstrap of node n1 inside `dir`, writing the kubeconfig at `kubeconfig` (relative to it).
BootstrapOptions bootstrap_in(const TempDir& dir, const TestCa& ca, const std::string& kubeconfig) {
  BootstrapOptions o;
  o.kubeconfig = dir.file(kubeconfig);
  o.bootstrap_kubeconfig = bootstrap_kubeconfig(dir, ca);
  o.cert_dir = dir.file("pki");
  o.data_dir = dir.file("data");
  o.node_name = "n1";
  o.timeout = std::chrono::seconds(30);
  return o;
}

}  // namespace

TEST_CASE("certificates: an ECDSA key, a CSR for system:node:<node>, and the issued certificate's facts") {
  auto key = generate_ec_private_key();
  REQUIRE(key.ok());
  CHECK_THAT(*key, Contains("BEGIN EC PRIVATE KEY"));
  auto csr = make_certificate_request(*key, "system:node:n1", "system:nodes");
  REQUIRE(csr.ok());
  CHECK(TestCa::request_verifies(*csr));

  TestCa ca;
  const std::string cert = ca.sign(*csr, -60, 3600);
  auto facts = read_certificate(cert);
  REQUIRE(facts.ok());
  CHECK(facts->common_name == "system:node:n1");
  CHECK(facts->organization == "system:nodes");
  CHECK(facts->not_after - facts->not_before == std::chrono::seconds(3600));
  CHECK(certificate_matches_key(cert, *key));
  CHECK_FALSE(certificate_matches_key(cert, *generate_ec_private_key()));
  CHECK_FALSE(read_certificate("not a certificate").ok());
}

TEST_CASE("certificates: rotation is due between 70 % and 90 % of the lifetime") {
  CertificateFacts c;
  c.not_before = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  c.not_after = c.not_before + std::chrono::hours(100);
  CHECK(rotation_deadline(c, 0) == c.not_before + std::chrono::hours(70));
  CHECK(rotation_deadline(c, 1) == c.not_before + std::chrono::hours(90));
  CHECK(rotation_deadline(c, 0.5) == c.not_before + std::chrono::hours(80));
  CHECK(rotation_deadline(c, 7) == c.not_before + std::chrono::hours(90));  // clamped
}

TEST_CASE("tls bootstrap: a CSR with kubelet's signer and usages, waited for until signed") {
  CsrServer server;
  server.gets_until_issued = 2;  // two GETs show it pending
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) { return server.handle(r); });
  ClientConfig boot;
  boot.server = "https://10.250.0.1:6443";
  boot.token = "abcdef.0123456789abcdef";
  ApiClient client(api, boot);
  auto key = *generate_ec_private_key();
  auto cert = request_node_client_certificate(client, key, "n1", std::chrono::seconds(30));
  REQUIRE(cert.ok());
  CHECK(certificate_matches_key(*cert, key));
  CHECK(server.gets == 3);
  const auto& spec = server.created["spec"];
  CHECK(spec["signerName"] == "kubernetes.io/kube-apiserver-client-kubelet");
  CHECK(spec["usages"] == nlohmann::json({"digital signature", "client auth"}));
  CHECK_THAT(server.created["metadata"]["name"].get<std::string>(), Contains("node-csr-"));
  CHECK(api->requests.front().bearer_token == "abcdef.0123456789abcdef");
}

TEST_CASE("tls bootstrap: a denied CSR is an error with the approver's reason and message") {
  CsrServer server;
  server.outcome = "denied";
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) { return server.handle(r); });
  ApiClient client(api, ClientConfig{});
  auto cert = request_node_client_certificate(client, *generate_ec_private_key(), "n1", std::chrono::seconds(30));
  REQUIRE_FALSE(cert.ok());
  CHECK(cert.error().message == "certificate signing request is denied, reason: NotMine, message: go away");
}

TEST_CASE("tls bootstrap: a CSR never signed times out with kDeadlineExceeded") {
  CsrServer server;
  server.outcome = "pending";
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) { return server.handle(r); });
  ApiClient client(api, ClientConfig{});
  auto cert = request_node_client_certificate(client, *generate_ec_private_key(), "n1", std::chrono::seconds(1));
  REQUIRE_FALSE(cert.ok());
  CHECK(cert.error().code == ErrorCode::kDeadlineExceeded);
  CHECK_THAT(cert.error().message, Contains("is not approved and signed yet"));
}

TEST_CASE("tls bootstrap: writes the cert store and a kubeconfig for it, then leaves a usable one alone") {
  TempDir dir("tls-bootstrap");
  CsrServer server;
  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) { return server.handle(r); });
  BootstrapOptions o = bootstrap_in(dir, server.ca, "etc/kubeconfig");
  REQUIRE(ensure_node_kubeconfig(api, o).ok());

  const std::string current = dir.file("pki/kubelet-client-current.pem");
  REQUIRE(std::filesystem::is_symlink(current));
  CHECK_THAT(std::filesystem::read_symlink(current).string(), Contains("kubelet-client-"));
  struct stat st {};
  REQUIRE(::stat(current.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(std::filesystem::exists(dir.file("pki/kubelet-client.key.tmp")));

  auto written = load_kubeconfig(o.kubeconfig, dir.file("data2"));
  REQUIRE(written.ok());
  CHECK(written->server == "https://10.250.0.1:6443");
  CHECK(written->client_cert_file == current);
  CHECK(written->client_key_file == current);
  CHECK(written->token.empty());
  CHECK(slurp(written->ca_file) == server.ca.cert_pem);  // embedded, not a path into the bootstrap's dir
  CHECK_THAT(slurp(o.kubeconfig), Contains("certificate-authority-data"));
  CHECK(credentials_usable(*written, std::chrono::system_clock::now()));
  auto facts = read_certificate(slurp(current));
  REQUIRE(facts.ok());
  CHECK(facts->common_name == "system:node:n1");

  // A second start finds the kubeconfig usable: no new CSR.
  const size_t requests = api->requests.size();
  REQUIRE(ensure_node_kubeconfig(api, o).ok());
  CHECK(api->requests.size() == requests);
}

TEST_CASE("tls bootstrap: an expired client certificate is bootstrapped again") {
  TempDir dir("tls-expired");
  CsrServer server;
  auto key = *generate_ec_private_key();
  auto old = server.ca.sign(*make_certificate_request(key, "system:node:n1", "system:nodes"), -7200, 3600);
  dir.write("old.pem", old + key);
  dir.write("ca.crt", server.ca.cert_pem);
  dir.write("kubeconfig", "apiVersion: v1\nkind: Config\n"
                          "clusters: [{name: c, cluster: {server: 'https://10.250.0.1:6443', certificate-authority: ca.crt}}]\n"
                          "users: [{name: n, user: {client-certificate: old.pem, client-key: old.pem}}]\n"
                          "contexts: [{name: n, context: {cluster: c, user: n}}]\ncurrent-context: n\n");
  auto expired = load_kubeconfig(dir.file("kubeconfig"), "");
  REQUIRE(expired.ok());
  CHECK_FALSE(credentials_usable(*expired, std::chrono::system_clock::now()));

  auto api = std::make_shared<ScriptedApi>([&](const http::HttpRequest& r) { return server.handle(r); });
  BootstrapOptions o = bootstrap_in(dir, server.ca, "kubeconfig");
  REQUIRE(ensure_node_kubeconfig(api, o).ok());
  auto renewed = load_kubeconfig(o.kubeconfig, dir.file("data2"));
  REQUIRE(renewed.ok());
  CHECK(renewed->client_cert_file == dir.file("pki/kubelet-client-current.pem"));
  CHECK(credentials_usable(*renewed, std::chrono::system_clock::now()));
}

TEST_CASE("api client: a token refused with 401 is read again from its tokenFile and retried once") {
  TempDir dir("token-file");
  dir.write("token", "new-token\n");
  auto api = std::make_shared<ScriptedApi>([](const http::HttpRequest& r) {
    return r.bearer_token == "new-token" ? json_response(200, "{}") : json_response(401, "");
  });
  ClientConfig c;
  c.server = "https://10.250.0.1:6443";
  c.token = "old-token";
  c.token_file = dir.file("token");
  ApiClient client(api, c);
  REQUIRE(client.get("/api/v1/nodes/n1").ok());
  CHECK(api->requests.size() == 2);
  CHECK(client.config().token == "new-token");

  // The same token refused again: no retry loop, the 401 is the answer.
  dir.write("token", "new-token");
  auto refusing = std::make_shared<ScriptedApi>([](const http::HttpRequest&) { return json_response(401, ""); });
  ApiClient stuck(refusing, c);
  dir.write("token", "old-token");
  auto got = stuck.get("/api/v1/nodes/n1");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == ErrorCode::kUnauthenticated);
  CHECK(refusing->requests.size() == 1);
}
