// The per-pod state layout: every path under <root>/pods/<uid>, and a uid that is not one can
// never lead outside the pods dir.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "util/pod_state_dir.h"

using namespace nodeagent;

TEST_CASE("pod state paths, and uids that are not uids stay inside the pods dir") {
  PodStateDir dir("/var/lib/nodeagent");
  const std::string uid = "0f3c9a4e-1b2d-4c5e-8f90-a1b2c3d4e5f6";
  CHECK(dir.pod_dir(uid) == "/var/lib/nodeagent/pods/" + uid);
  CHECK(dir.ns_dir(uid) == "/var/lib/nodeagent/pods/" + uid + "/ns");
  CHECK(dir.volume_dir(uid, "kubernetes.io~empty-dir", "cache") ==
        "/var/lib/nodeagent/pods/" + uid + "/volumes/kubernetes.io~empty-dir/cache");
  CHECK(dir.termination_log(uid, "app", 2) == "/var/lib/nodeagent/pods/" + uid + "/containers/app/2-termination-log");
  CHECK(dir.status_file(uid) == "/var/lib/nodeagent/pods/" + uid + "/status.json");
  CHECK(dir.first_seen_file(uid) == "/var/lib/nodeagent/pods/" + uid + "/first-seen");

  CHECK(valid_pod_uid("d41d8cd98f00b204e9800998ecf8427e"));  // a static pod's hash
  const std::vector<std::string> bad_uids = {"", "..", "../../etc", "a/b", "UPPER", std::string(64, 'a'), "a b"};
  for (const auto& bad : bad_uids) {
    INFO(bad);
    CHECK_FALSE(valid_pod_uid(bad));
    CHECK(dir.pod_dir(bad) == "/var/lib/nodeagent/pods/.invalid-uid");
  }
}
