#include "kube/client/kubeconfig.h"

#include <catch2/catch.hpp>

#include "kube/base64.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::kube::client;
using Catch::Matchers::Contains;

namespace {

const char* kConfig = R"(apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://10.250.0.1:6443/
    certificate-authority: pki/ca.crt
users:
- name: node
  user:
    client-certificate: pki/node.crt
    client-key: pki/node.key
contexts:
- name: c
  context: {cluster: local, user: node}
current-context: c
)";

}  // namespace

TEST_CASE("kubeconfig: relative paths resolve against the file's directory") {
  testing::TempDir dir("kubeconfig");
  std::filesystem::create_directories(dir.path() + "/pki");
  dir.write("pki/ca.crt", "CA");
  dir.write("pki/node.crt", "CRT");
  dir.write("pki/node.key", "KEY");
  dir.write("kubeconfig", kConfig);
  auto c = load_kubeconfig(dir.path() + "/kubeconfig", "");
  REQUIRE(c.ok());
  CHECK(c->server == "https://10.250.0.1:6443");
  CHECK(c->ca_file == dir.path() + "/pki/ca.crt");
  CHECK(c->client_cert_file == dir.path() + "/pki/node.crt");
  CHECK(c->client_key_file == dir.path() + "/pki/node.key");
  CHECK(c->user_name == "node");
}

TEST_CASE("kubeconfig: a missing file names the file and the field") {
  testing::TempDir dir("kubeconfig");
  dir.write("kubeconfig", kConfig);
  auto c = load_kubeconfig(dir.path() + "/kubeconfig", "");
  REQUIRE(!c.ok());
  CHECK(c.error().code == ErrorCode::kInvalid);
  CHECK_THAT(c.error().message, Contains("kubeconfig " + dir.path() + "/kubeconfig: clusters[0].cluster.certificate-authority: "));
  CHECK_THAT(c.error().message, Contains("No such file"));
}

TEST_CASE("kubeconfig: embedded data is written to private files, and tokens are read") {
  testing::TempDir dir("kubeconfig");
  std::string text = std::string("clusters:\n- name: a\n  cluster:\n    server: https://h:1\n    certificate-authority-data: ") +
                     kube::base64_encode("PEM") +
                     "\nusers:\n- name: u\n  user:\n    tokenFile: tok\ncontexts:\n- name: x\n  context: {cluster: a, user: u}\n"
                     "current-context: x\n";
  dir.write("kubeconfig", text);
  dir.write("tok", "abc.def\n");
  auto c = load_kubeconfig(dir.path() + "/kubeconfig", dir.path() + "/data");
  REQUIRE(c.ok());
  CHECK(c->ca_file == dir.path() + "/data/ca.crt");
  CHECK(testing::slurp(c->ca_file) == "PEM");
  CHECK(c->token == "abc.def");
}

TEST_CASE("kubeconfig: broken references and values are refused with the field") {
  testing::TempDir dir("kubeconfig");
  auto load = [&](const std::string& text) {
    dir.write("kubeconfig", text);
    auto c = load_kubeconfig(dir.path() + "/kubeconfig", "");
    REQUIRE(!c.ok());
    return c.error().message;
  };
  CHECK_THAT(load("kind: Config\n"), Contains("current-context: not set"));
  CHECK_THAT(load("current-context: x\ncontexts: []\n"), Contains("current-context: no context named \"x\""));
  CHECK_THAT(load("current-context: x\ncontexts:\n- name: x\n  context: {cluster: a}\nclusters:\n- name: a\n  cluster: {server: ftp://h}\n"),
             Contains("clusters[0].cluster.server: expected an http(s):// URL"));
  CHECK_THAT(load("a: [\n"), Contains("not valid YAML"));
  CHECK_THAT(load_kubeconfig(dir.path() + "/nope", "").error().message, Contains("kubeconfig " + dir.path() + "/nope: cannot read"));
}

TEST_CASE("kubeconfig: render and load round-trip") {
  testing::TempDir dir("kubeconfig");
  dir.write("c.crt", "C");
  dir.write("c.key", "K");
  ClientConfig c;
  c.server = "https://10.0.0.1:6443";
  c.client_cert_file = dir.path() + "/c.crt";
  c.client_key_file = dir.path() + "/c.key";
  c.insecure_skip_verify = true;
  dir.write("out", render_kubeconfig(c, "default"));
  auto back = load_kubeconfig(dir.path() + "/out", "");
  REQUIRE(back.ok());
  CHECK(back->server == c.server);
  CHECK(back->client_key_file == c.client_key_file);
  CHECK(back->insecure_skip_verify);
}
