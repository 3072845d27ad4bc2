// The standalone PV binder: upstream's matching and binding rules (pkg/controller/volume/
// persistentvolume index.go findByClaim, FindMatchingVolume, syncUnboundClaim), table-driven,
// and the table's file and the claim resolver's messages.
#include <catch2/catch.hpp>

#include <fstream>

#include "test/fakes/fake_object_source.h"
#include "test/support/temp_dir.h"
#include "volumes/binding/binding_file.h"
#include "volumes/binding/claim_binder.h"
#include "volumes/binding/claim_resolver.h"

// The case tables leave trailing fields at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace nodeagent;
using namespace nodeagent::volumes::binding;

namespace {

kube::Quantity gi(int64_t n) { return kube::Quantity::from_value(n * 1024 * 1024 * 1024); }

struct PvSpec {
  std::string name;
  int64_t gib = 1;
  std::vector<std::string> modes = {"ReadWriteOnce"};
  std::string cls;
  std::string volume_mode = "Filesystem";
  kube::StringMap labels;
  std::string claim_ref;  // "ns/name" or ""
};

kube::PersistentVolume pv(const PvSpec& s) {
  kube::PersistentVolume v;
  v.metadata.name = s.name;
  v.metadata.labels = s.labels;
  v.spec.capacity["storage"] = gi(s.gib);
  v.spec.access_modes = s.modes;
  v.spec.storage_class_name = s.cls;
  v.spec.volume_mode = s.volume_mode;
  if (!s.claim_ref.empty()) {
    kube::ObjectReference ref;
    ref.namespace_ = s.claim_ref.substr(0, s.claim_ref.find('/'));
    ref.name = s.claim_ref.substr(s.claim_ref.find('/') + 1);
    v.spec.claim_ref = ref;
  }
  return v;
}

struct PvcSpec {
  std::string name;
  int64_t gib = 1;
  std::vector<std::string> modes = {"ReadWriteOnce"};
  std::optional<std::string> cls;
  std::string volume_mode = "Filesystem";
  std::string volume_name;
  std::optional<kube::ObjectLabelSelector> selector;
  std::string ns = "default";
};

kube::PersistentVolumeClaim pvc(const PvcSpec& s) {
  kube::PersistentVolumeClaim c;
  c.metadata.name = s.name;
  c.metadata.namespace_ = s.ns;
  c.spec.resources.requests["storage"] = gi(s.gib);
  c.spec.access_modes = s.modes;
  c.spec.storage_class_name = s.cls;
  c.spec.volume_mode = s.volume_mode;
  c.spec.volume_name = s.volume_name;
  c.spec.selector = s.selector;
  return c;
}

kube::ObjectLabelSelector match_labels(kube::StringMap labels) { return {std::move(labels), {}}; }

struct Case {
  const char* what;
  std::vector<PvSpec> volumes;
  std::vector<PvcSpec> claims;
  BindingTable previous;
  std::map<std::string, std::string> want;  // claim name -> PV, or "!<reason>"
};

}  // namespace

TEST_CASE("the binder follows upstream's matching rules") {
  const std::string kNoClass = "!no persistent volumes available for this claim and no storage class is set";
  const std::vector<Case> cases = {
      {"the smallest PV with enough capacity", {{"big", 10}, {"small", 2}, {"tiny", 1}}, {{"c", 2}}, {}, {{"c", "small"}}},
      {"capacity below the request never matches", {{"tiny", 1}}, {{"c", 2}}, {}, {{"c", kNoClass}}},
      {"capacity ties go to the PV's name", {{"b", 5}, {"a", 5}}, {{"c", 1}}, {}, {{"c", "a"}}},
      {"the PV's modes must hold all of the claim's",
       {{"rwo", 1, {"ReadWriteOnce"}}, {"both", 5, {"ReadWriteOnce", "ReadOnlyMany"}}},
       {{"c", 1, {"ReadWriteOnce", "ReadOnlyMany"}}}, {}, {{"c", "both"}}},
      {"the smallest set of access modes first, before capacity",
       {{"rwo-big", 10, {"ReadWriteOnce"}}, {"multi-small", 1, {"ReadWriteOnce", "ReadWriteMany"}}},
       {{"c", 1, {"ReadWriteOnce"}}}, {}, {{"c", "rwo-big"}}},
      {"nil class and \"\" class both match only PVs with no class",
       {{"gold", 1, {"ReadWriteOnce"}, "gold"}, {"plain", 5}},
       {{"nil", 1}, {"empty", 1, {"ReadWriteOnce"}, std::string("")}}, {},
       {{"empty", "plain"}, {"nil", kNoClass}}},
      {"a class matches only that class; none left means no StorageClass to provision from",
       {{"gold", 1, {"ReadWriteOnce"}, "gold"}, {"silver", 1, {"ReadWriteOnce"}, "silver"}},
       {{"a", 1, {"ReadWriteOnce"}, std::string("gold")}, {"b", 1, {"ReadWriteOnce"}, std::string("gold")}}, {},
       {{"a", "gold"}, {"b", "!storageclass.storage.k8s.io \"gold\" not found"}}},
      {"volumeMode must be equal",
       {{"fs", 1}, {"blk", 5, {"ReadWriteOnce"}, "", "Block"}},
       {{"b", 1, {"ReadWriteOnce"}, std::nullopt, "Block"}}, {}, {{"b", "blk"}}},
      {"the selector matches the PV's labels",
       {{"fast", 5, {"ReadWriteOnce"}, "", "Filesystem", {{"disk", "ssd"}}}, {"slow", 1}},
       {{"c", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "", match_labels({{"disk", "ssd"}})}}, {},
       {{"c", "fast"}}},
      {"matchExpressions: NotIn",
       {{"fast", 1, {"ReadWriteOnce"}, "", "Filesystem", {{"disk", "ssd"}}}, {"slow", 5, {"ReadWriteOnce"}, "", "Filesystem", {{"disk", "hdd"}}}},
       {{"c", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "",
         kube::ObjectLabelSelector{{}, {{"disk", "NotIn", {"ssd"}}}}}}, {}, {{"c", "slow"}}},
      {"a bound PV is never given to another claim (claims in namespace/name order)",
       {{"only", 1}}, {{"b", 1}, {"a", 1}}, {}, {{"a", "only"}, {"b", kNoClass}}},
      {"a PV whose claimRef names a claim is only for that claim",
       {{"reserved", 1, {"ReadWriteOnce"}, "", "Filesystem", {}, "default/b"}, {"other", 5}},
       {{"a", 1}, {"b", 1}}, {}, {{"a", "other"}, {"b", "reserved"}}},
      {"pre-bound by claimRef still needs the capacity",
       {{"reserved", 1, {"ReadWriteOnce"}, "", "Filesystem", {}, "default/b"}}, {{"b", 2}}, {}, {{"b", kNoClass}}},
      {"spec.volumeName binds that PV when it satisfies the claim",
       {{"small", 1}, {"named", 10}}, {{"c", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "named"}}, {},
       {{"c", "named"}}},
      {"spec.volumeName: upstream's mismatch messages",
       {{"small", 1}, {"gold", 5, {"ReadWriteOnce"}, "gold"}, {"rox", 5, {"ReadOnlyMany"}}, {"blk", 5, {"ReadWriteOnce"}, "", "Block"}},
       {{"a", 2, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "small"},
        {"b", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "gold"},
        {"c", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "rox"},
        {"d", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "blk"},
        {"e", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "missing"}}, {},
       {{"a", "!Cannot bind to requested volume \"small\": requested PV is too small"},
        {"b", "!Cannot bind to requested volume \"gold\": storageClassName does not match"},
        {"c", "!Cannot bind to requested volume \"rox\": incompatible accessMode"},
        {"d", "!Cannot bind to requested volume \"blk\": incompatible volumeMode"},
        {"e", "!persistentvolume \"missing\" not found"}}},
      {"spec.volumeName of a PV bound to another claim",
       {{"taken", 1}}, {{"a", 1}, {"b", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "taken"}}, {},
       {{"a", "taken"}, {"b", "!volume \"taken\" already bound to a different claim."}}},
      {"earlier bindings are kept even when a better match appears",
       {{"big", 10}, {"small", 1}}, {{"c", 1}}, {{"big", {"default", "c", ""}}}, {{"c", "big"}}},
      {"a PV bound to a claim that is gone stays bound (Released, Retain)",
       {{"released", 1}}, {{"new", 1}}, {{"released", {"default", "old", ""}}}, {{"new", kNoClass}}},
      {"a bound claim whose PV is gone is Lost, not rebound",
       {{"spare", 1}}, {{"c", 1}}, {{"gone", {"default", "c", ""}}},
       {{"c", "!Bound claim has lost its PersistentVolume \"gone\". Data on the volume is lost!"}}},
      {"the PV's claimRef overrides a binding to another claim",
       {{"pv", 1, {"ReadWriteOnce"}, "", "Filesystem", {}, "default/b"}}, {{"a", 1}, {"b", 1}},
       {{"pv", {"default", "a", ""}}}, {{"a", kNoClass}, {"b", "pv"}}},
      {"claims in another namespace are other claims",
       {{"pv", 1, {"ReadWriteOnce"}, "", "Filesystem", {}, "team/c"}},
       {{"c", 1}, {"c", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "", std::nullopt, "team"}}, {},
       {{"c", kNoClass}, {"team/c", "pv"}}},
  };
  for (const auto& tc : cases) {
    SECTION(tc.what) {
      std::vector<kube::PersistentVolume> volumes;
      for (const auto& v : tc.volumes) volumes.push_back(pv(v));
      std::vector<kube::PersistentVolumeClaim> claims;
      for (const auto& c : tc.claims) claims.push_back(pvc(c));
      auto result = bind_claims(claims, volumes, tc.previous);
      for (const auto& [claim, want] : tc.want) {
        auto key = claim.find('/') == std::string::npos ? "default/" + claim : claim;
        INFO(key);
        REQUIRE(result.claims.count(key));
        const auto& got = result.claims.at(key);
        if (want[0] == '!') {
          CHECK(got.volume == "");
          CHECK(got.reason == want.substr(1));
        } else {
          CHECK(got.volume == want);
          CHECK(result.table.at(want).name == key.substr(key.find('/') + 1));
        }
      }
    }
  }
}

TEST_CASE("binding is stable: the same inputs give the same table, whatever the claim order") {
  std::vector<kube::PersistentVolume> volumes = {pv({"a", 1}), pv({"b", 1}), pv({"c", 2})};
  std::vector<kube::PersistentVolumeClaim> claims = {pvc({"z", 1}), pvc({"y", 1}), pvc({"x", 1})};
  auto first = bind_claims(claims, volumes, {});
  std::reverse(claims.begin(), claims.end());
  CHECK(bind_claims(claims, volumes, {}).table == first.table);
  CHECK(first.claims.at("default/x").volume == "a");
  CHECK(first.claims.at("default/y").volume == "b");
  CHECK(first.claims.at("default/z").volume == "c");
  // Re-running over its own table changes nothing.
  CHECK(bind_claims(claims, volumes, first.table).table == first.table);
}

TEST_CASE("the bindings file round-trips, and a corrupt one is an error, never an empty table") {
  testing::TempDir dir("na-pv-binder");
  auto path = dir.file("pv-binder/bindings.json");
  REQUIRE(load_bindings(path).ok());
  CHECK(load_bindings(path)->empty());
  BindingTable table = {{"pv1", {"default", "data", "u1"}}, {"pv2", {"team", "logs", ""}}};
  REQUIRE(save_bindings(path, table).ok());
  auto loaded = load_bindings(path);
  REQUIRE(loaded.ok());
  CHECK(*loaded == table);
  std::ofstream(path) << "{not json";
  CHECK_FALSE(load_bindings(path).ok());
}

TEST_CASE("the claim resolver: kubelet's messages, bindings persisted, and a control-plane mode") {
  testing::TempDir dir("na-pv-resolver");
  auto file = dir.file("pv-binder/bindings.json");
  fakes::FakeObjectSource objects;
  ClaimResolver resolver(&objects, file, BindingMode::kStandalone);

  auto missing = resolver.resolve("default", "data");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "error processing PVC default/data: persistentvolumeclaim \"data\" not found");

  objects.add(pvc({"data", 1}));
  auto pending = resolver.resolve("default", "data");
  REQUIRE_FALSE(pending.ok());
  CHECK(pending.error().message ==
        "error processing PVC default/data: PVC default/data has non-bound phase (\"Pending\") or empty "
        "pvc.Spec.VolumeName (\"\"): no persistent volumes available for this claim and no storage class is set");

  objects.add(pv({"pv-big", 10}));
  auto bound = resolver.resolve("default", "data");
  REQUIRE(bound.ok());
  CHECK(bound->volume.metadata.name == "pv-big");

  // A restarted agent (a new resolver over the same file) keeps the binding, though a better
  // match has appeared since.
  objects.add(pv({"pv-small", 1}));
  ClaimResolver restarted(&objects, file, BindingMode::kStandalone);
  auto again = restarted.resolve("default", "data");
  REQUIRE(again.ok());
  CHECK(again->volume.metadata.name == "pv-big");

  // Joined to a control plane: only the claim's volumeName and the PV's claimRef count.
  ClaimResolver follower(&objects, "", BindingMode::kControlPlane);
  auto unbound = follower.resolve("default", "data");
  REQUIRE_FALSE(unbound.ok());
  CHECK(unbound.error().message ==
        "error processing PVC default/data: PVC default/data has non-bound phase (\"Pending\") or empty "
        "pvc.Spec.VolumeName (\"\")");
  auto claim = pvc({"bound", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "pv-small"});
  claim.status.phase = "Bound";
  objects.add(claim);
  auto no_ref = follower.resolve("default", "bound");
  REQUIRE_FALSE(no_ref.ok());
  CHECK(no_ref.error().message ==
        "error processing PVC default/bound: found PV object \"pv-small\" but it has a nil pv.Spec.ClaimRef "
        "indicating it is not yet bound to the claim");
  objects.add(pv({"pv-ref", 1, {"ReadWriteOnce"}, "", "Filesystem", {}, "default/bound2"}));
  auto claim2 = pvc({"bound2", 1, {"ReadWriteOnce"}, std::nullopt, "Filesystem", "pv-ref"});
  claim2.status.phase = "Bound";
  objects.add(claim2);
  auto ok = follower.resolve("default", "bound2");
  REQUIRE(ok.ok());
  CHECK(ok->volume.metadata.name == "pv-ref");
}
