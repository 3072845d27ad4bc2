// Decoding the objects volumes and env references read: ConfigMap, Secret (base64 data,
// stringData merged), PersistentVolume and PersistentVolumeClaim, their defaults, and
// decode(encode(x)) == x.
#include <catch2/catch.hpp>

#include "kube/base64.h"
#include "kube/decode.h"
#include "kube/encode.h"

using namespace nodeagent::kube;

namespace {

template <typename T>
T only(const std::string& yaml) {
  auto objects = decode_manifests(yaml);
  INFO((objects.ok() ? std::string() : objects.error().message));
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 1);
  CHECK((*objects)[0].warnings.empty());
  REQUIRE(std::holds_alternative<T>((*objects)[0].object));
  return std::get<T>((*objects)[0].object);
}

}  // namespace

TEST_CASE("base64 round trips and refuses bad input") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("hello") == "aGVsbG8=");
  CHECK(base64_encode(std::string("\0\xff", 2)) == "AP8=");
  CHECK(base64_decode("aGVsbG8=") == std::optional<std::string>("hello"));
  CHECK(base64_decode("aGk=") == std::optional<std::string>("hi"));
  CHECK_FALSE(base64_decode("aGVsbG8"));
  CHECK_FALSE(base64_decode("a=Vs"));
  CHECK_FALSE(base64_decode("aGV*bG8="));
}

TEST_CASE("ConfigMap: data, binaryData bytes, immutable, default namespace") {
  auto cm = only<ConfigMap>(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
binaryData: {blob: AP8=}
immutable: true
)");
  CHECK(cm.metadata.namespace_ == "default");
  CHECK(cm.data == StringMap{{"mode", "fast"}});
  CHECK(cm.binary_data.at("blob") == std::string("\0\xff", 2));
  CHECK(cm.immutable == std::optional<bool>(true));
  CHECK(decode_config_map(encode(cm))->object.binary_data == cm.binary_data);
}

TEST_CASE("Secret: base64 data, stringData merged over it, type defaulted") {
  auto s = only<Secret>(R"(
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: apps}
data: {user: YWRtaW4=, password: b2xk}
stringData: {password: new}
)");
  CHECK(s.metadata.namespace_ == "apps");
  CHECK(s.type == "Opaque");
  CHECK(s.data == ByteMap{{"password", "new"}, {"user", "admin"}});
  CHECK(s.string_data.empty());
  CHECK(decode_secret(encode(s))->object.data == s.data);
}

TEST_CASE("bad base64 in Secret data names the field") {
  auto objects = decode_manifests("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: {k: '%%%'}\n");
  REQUIRE_FALSE(objects.ok());
  INFO(objects.error().message);
  CHECK(objects.error().message.find("data[k]") != std::string::npos);
  CHECK(objects.error().message.find("illegal base64 data") != std::string::npos);
}

TEST_CASE("PersistentVolume: capacity, modes, class, claimRef, hostPath, defaults") {
  auto pv = only<PersistentVolume>(R"(
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-1}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  claimRef: {namespace: default, name: data}
  hostPath: {path: /srv/pv-1, type: DirectoryOrCreate}
)");
  CHECK(pv.metadata.namespace_.empty());  // cluster-scoped
  CHECK(pv.spec.capacity.at("storage").value() == (1LL << 30));
  CHECK(pv.spec.access_modes == std::vector<std::string>{"ReadWriteOnce"});
  CHECK(pv.spec.storage_class_name == "manual");
  REQUIRE(pv.spec.claim_ref);
  CHECK(pv.spec.claim_ref->name == "data");
  REQUIRE(pv.spec.host_path);
  CHECK(pv.spec.host_path->path == "/srv/pv-1");
  CHECK(pv.spec.volume_mode == "Filesystem");
  CHECK(pv.spec.persistent_volume_reclaim_policy == "Retain");
  CHECK(pv.status.phase == "Pending");
  CHECK(encode(decode_persistent_volume(encode(pv))->object) == encode(pv));
}

TEST_CASE("PersistentVolumeClaim: requests, nil vs empty storageClassName, selector, volumeName") {
  auto pvc = only<PersistentVolumeClaim>(R"(
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 500Mi}}
  volumeName: pv-1
  selector:
    matchLabels: {tier: fast}
    matchExpressions: [{key: zone, operator: In, values: [a, b]}]
)");
  CHECK(pvc.metadata.namespace_ == "default");
  CHECK(pvc.spec.resources.requests.at("storage").value() == 500LL * 1024 * 1024);
  CHECK_FALSE(pvc.spec.storage_class_name.has_value());
  CHECK(pvc.spec.volume_name == "pv-1");
  CHECK(pvc.spec.volume_mode == "Filesystem");
  REQUIRE(pvc.spec.selector);
  CHECK(pvc.spec.selector->match_labels == StringMap{{"tier", "fast"}});
  REQUIRE(pvc.spec.selector->match_expressions.size() == 1);
  CHECK(pvc.spec.selector->match_expressions[0].op == "In");
  CHECK(pvc.status.phase == "Pending");
  CHECK(encode(decode_persistent_volume_claim(encode(pvc))->object) == encode(pvc));

  auto none = only<PersistentVolumeClaim>(
      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: d}\nspec: {storageClassName: ''}\n");
  CHECK(none.spec.storage_class_name == std::optional<std::string>(""));
}
