// The API-backed sources against the real control plane (scripts/controlplane/cluster.sh: etcd,
// kube-apiserver with Node,RBAC and NodeRestriction, kube-controller-manager, kube-scheduler),
// with the node's own identity (CN=system:node:<node>, O=system:nodes) and kube-proxy's, from a
// node network namespace na-it-<pid>-src connected to the control plane's bridge. Root only.
//
// The admin creates a Service and a pod bound to the node (spec.nodeName) that references a
// ConfigMap and a Secret; then:
//   - ApiServiceSource sees the Service and the EndpointSlice the endpointslice controller made
//     (with kube-proxy's identity; the node's own may list Services but not EndpointSlices);
//   - ApiObjectSource watches the referenced ConfigMap and Secret as the node, one watch each
//     by metadata.name (kubelet's Watch strategy); an admin's change to the ConfigMap reaches it
//     by that watch; a Secret no pod of the node references is refused (403, naming the node's
//     identity);
//   - TokenRequester gets a JWT for the pod's default service account, bound to the pod.
// The cluster (test/support/control_plane_fixture) and the netns are torn down whatever happens.
// Without the control plane's scripts (or not root) the test fails and says why.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent/cluster/api_objects.h"
#include "agent/cluster/api_services.h"
#include "agent/cluster/token_requester.h"
#include "kube/base64.h"
#include "kube/client/kubeconfig.h"
#include "kube/decode.h"
#include "test/fakes/fake_service_input.h"
#include "test/support/control_plane_fixture.h"
#include "test/support/temp_dir.h"
#include "util/http/curl_http_client.h"

using namespace nodeagent;
using nodeagent::cluster::testing::ControlPlane;
using nodeagent::cluster::testing::NodeNetns;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<kube::client::ApiClient> client_from(const std::string& kubeconfig, const std::string& data_dir) {
  auto config = kube::client::load_kubeconfig(kubeconfig, data_dir);
  if (!config.ok()) FAIL(config.error().message);
  return std::make_unique<kube::client::ApiClient>(std::make_shared<http::CurlHttpClient>(), *config);
}

// The payload of a JWT (base64url, unpadded), as JSON.
nlohmann::json jwt_payload(const std::string& jwt) {
  auto a = jwt.find('.'), b = jwt.rfind('.');
  if (a == std::string::npos || b == a) return nullptr;
  std::string part = jwt.substr(a + 1, b - a - 1);
  for (auto& c : part) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (part.size() % 4) part += '=';
  auto bytes = kube::base64_decode(part);
  if (!bytes) return nullptr;
  return nlohmann::json::parse(*bytes, nullptr, false);
}

}  // namespace

TEST_CASE("api sources against the real control plane, as the node", "[integration]") {
  REQUIRE(::geteuid() == 0);  // a test that cannot run fails: it never passes vacuously
  const auto& cp = ControlPlane::shared();
  INFO(cp.why());
  REQUIRE(cp.up());
  NodeNetns netns(cp, "src", "10.250.0.77");
  const std::string node_name = "it-node-" + std::to_string(::getpid());
  const std::string kubeconfig = cp.node_kubeconfig(node_name);
  const std::string proxy_kubeconfig = cp.proxy_kubeconfig(node_name);
  testing::TempDir dir("na-it-sources");

  // What the admin creates: a ConfigMap and a Secret the pod references, one Secret it does not,
  // a Service selecting the pod, the pod bound to this node (no kubelet runs it).
  const std::string manifest = dir.file("it-objects.json");
  {
    nlohmann::json items = nlohmann::json::array();
    items.push_back({{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "it-settings"}, {"namespace", "default"}}},
                     {"data", {{"greeting", "hello"}}}});
    items.push_back({{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "it-creds"}, {"namespace", "default"}}},
                     {"stringData", {{"password", "s3cret"}}}});
    items.push_back({{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "it-other"}, {"namespace", "default"}}},
                     {"stringData", {{"password", "nope"}}}});
    items.push_back({{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", "it-web"}, {"namespace", "default"}}},
                     {"spec", {{"selector", {{"app", "it-web"}}}, {"ports", {{{"port", 80}, {"targetPort", 8080}}}}}}});
    items.push_back(
        {{"apiVersion", "v1"}, {"kind", "Pod"},
         {"metadata", {{"name", "it-web-1"}, {"namespace", "default"}, {"labels", {{"app", "it-web"}}}}},
         {"spec",
          {{"nodeName", node_name},
           {"containers",
            {{{"name", "web"}, {"image", "busybox"},
              {"env", {{{"name", "GREETING"}, {"valueFrom", {{"configMapKeyRef", {{"name", "it-settings"}, {"key", "greeting"}}}}}}}},
              {"volumeMounts", {{{"name", "creds"}, {"mountPath", "/creds"}}}}}}},
           {"volumes", {{{"name", "creds"}, {"secret", {{"secretName", "it-creds"}}}}}}}}});
    std::ofstream(manifest) << nlohmann::json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}}.dump();
  }
  int rc = 0;
  auto applied = cp.kubectl("apply -f " + manifest + " 2>&1", &rc);
  INFO(applied);
  REQUIRE(rc == 0);

  netns.run([&] {
    auto node = client_from(kubeconfig, dir.file("it-data-node"));
    auto proxy = client_from(proxy_kubeconfig, dir.file("it-data-proxy"));
    SystemClock clock;
    cluster::ClusterContext ctx{node.get(), node_name, &clock};

    {  // Services and EndpointSlices
      // Who may read what: the node lists Services; EndpointSlices need kube-proxy's identity.
      CHECK(node->get("/api/v1/services?limit=1").ok());
      auto slices_as_node = node->get("/apis/discovery.k8s.io/v1/endpointslices?limit=1");
      CHECK(!slices_as_node.ok());
      if (!slices_as_node.ok()) CHECK(slices_as_node.error().code == ErrorCode::kPermissionDenied);

      fakes::FakeServiceInput input;
      std::mutex mu;
      std::vector<kube::Service> services;
      std::vector<std::string> problems;
      std::atomic<bool> synced{false};
      cluster::ApiServicesCallbacks cb;
      cb.on_services = [&](std::vector<kube::Service> all) {
        std::lock_guard lock(mu);
        services = std::move(all);
      };
      cb.on_problem = [&](const std::string& o, const std::string& m) {
        std::lock_guard lock(mu);
        problems.push_back(o + ": " + m);
      };
      cb.on_synced = [&] { synced = true; };
      cluster::ApiServicesOptions o;
      o.proxy_client = proxy.get();
      cluster::ApiServiceSource source(ctx, &input, cb, o);
      source.start();
      std::vector<std::string> calls;
      bool saw_service = false, saw_slice = false;
      cluster::testing::eventually(60,
          [&] {
            for (auto& call : input.take()) calls.push_back(call);
            for (const auto& call : calls) {
              saw_service |= call == "upsert service default/it-web";
              saw_slice |= call.rfind("upsert slice default/it-web-", 0) == 0;
            }
            return saw_service && saw_slice;
          });
      source.stop();
      INFO([&] {
        std::string all;
        for (const auto& s : calls) all += s + "\n";
        return all;
      }());
      CHECK(synced);
      CHECK(saw_service);
      CHECK(saw_slice);
      std::lock_guard lock(mu);
      CHECK(problems.empty());
      bool master = false, web = false;
      for (const auto& s : services) {
        master |= s.metadata.namespace_ == "default" && s.metadata.name == "kubernetes" && s.spec.cluster_ip == "10.96.0.1";
        web |= s.metadata.name == "it-web" && !s.spec.cluster_ip.empty();
      }
      CHECK(master);  // KUBERNETES_SERVICE_HOST for every pod (agent/pods/service_env)
      CHECK(web);
    }

    {  // ConfigMaps and Secrets the node's pods reference, and no others
      cluster::ApiObjectSource objects(ctx);
      std::mutex changes_mu;
      std::vector<kube::ObjectChange> changes;
      objects.start([&](std::vector<kube::ObjectChange> c) {
        std::lock_guard lock(changes_mu);
        changes.insert(changes.end(), c.begin(), c.end());
      });
      // The Node authorizer learns the pod's references from its own watch: allow it a moment.
      Result<kube::ConfigMap> cm = not_found("not asked yet");
      cluster::testing::eventually(30,
          [&] {
            cm = objects.get_config_map("default", "it-settings");
            return cm.ok();
          });
      if (!cm.ok()) FAIL(cm.error().message);
      CHECK(cm->data.at("greeting") == "hello");
      auto secret = objects.get_secret("default", "it-creds");
      if (!secret.ok()) FAIL(secret.error().message);
      CHECK(std::string(secret->data.at("password").begin(), secret->data.at("password").end()) == "s3cret");

      // The admin changes the ConfigMap: the node's watch brings it, with no read in between.
      int patched_rc = 0;
      auto patched = cp.kubectl("patch configmap it-settings -n default --type merge -p '{\"data\":{\"greeting\":\"hi again\"}}' 2>&1",
                                &patched_rc);
      INFO(patched);
      REQUIRE(patched_rc == 0);
      const bool told = cluster::testing::eventually(10, [&] {
        std::lock_guard lock(changes_mu);
        return std::find(changes.begin(), changes.end(), kube::ObjectChange{"ConfigMap", "default", "it-settings"}) !=
               changes.end();
      });
      CHECK(told);
      CHECK(objects.get_config_map("default", "it-settings")->data.at("greeting") == "hi again");

      auto other = objects.get_secret("default", "it-other");
      REQUIRE(!other.ok());
      CHECK(other.error().code == ErrorCode::kPermissionDenied);
      CHECK_THAT(other.error().message, Catch::Matchers::Contains("User \"system:node:" + node_name + "\""));
      CHECK_THAT(other.error().message, Catch::Matchers::StartsWith("secrets \"it-other\" is forbidden"));

      auto missing = objects.get_config_map("default", "it-missing");
      REQUIRE(!missing.ok());
      INFO(missing.error().message);  // not referenced: the authorizer refuses before the lookup
      CHECK(missing.error().code == ErrorCode::kPermissionDenied);
      CHECK(!objects.list_persistent_volumes().ok());
      objects.stop();
    }

    {  // a service-account token bound to the pod
      auto got = node->get("/api/v1/namespaces/default/pods/it-web-1");
      if (!got.ok()) FAIL(got.error().message);
      auto pod = kube::decode_pod(*got);
      if (!pod.ok()) FAIL(pod.error().message);
      cluster::TokenRequester tokens(ctx);
      kube::ServiceAccountTokenProjection projection;
      projection.expiration_seconds = 3607;
      projection.path = "token";
      Result<std::string> token = not_found("not asked yet");
      cluster::testing::eventually(30,
          [&] {
            token = tokens.token(pod->object, projection);
            return token.ok();
          });
      if (!token.ok()) FAIL(token.error().message);
      auto claims = jwt_payload(*token);
      INFO(claims.dump());
      REQUIRE(claims.is_object());
      CHECK(claims["sub"] == "system:serviceaccount:default:default");
      CHECK(claims["kubernetes.io"]["pod"]["name"] == "it-web-1");
      CHECK(claims["kubernetes.io"]["pod"]["uid"] == pod->object.metadata.uid);
      CHECK(*tokens.token(pod->object, projection) == *token);  // cached

      // Another pod's identity is not this node's to claim.
      kube::Pod stranger = pod->object;
      stranger.metadata.name = "not-on-this-node";
      stranger.metadata.uid = "00000000-0000-0000-0000-000000000000";
      auto refused = tokens.token(stranger, projection);
      REQUIRE(!refused.ok());
      INFO(refused.error().message);
      CHECK_THAT(refused.error().message,
                 Catch::Matchers::StartsWith("failed to fetch token for service account default/default of pod "
                                             "default/not-on-this-node: "));
    }
  });
}
