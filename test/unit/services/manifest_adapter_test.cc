// ManifestAdapter: a snapshot diff becomes the right upserts and deletes (deletes first).
#include <catch2/catch.hpp>

#include "agent/services/manifest_adapter.h"
#include "test/fakes/fake_service_input.h"
#include "test/unit/services/objects.h"

using namespace nodeagent;
using namespace servicestest;
using Calls = std::vector<std::string>;

TEST_CASE("the manifest adapter turns snapshot diffs into upserts and deletes") {
  fakes::FakeServiceInput input;
  services::ManifestAdapter adapter(input);

  adapter.apply({web("web"), web("db", "default", "db", "10.96.0.11")}, {slice("ext-1", "ext", "10.2.0.1")});
  CHECK(input.take() == Calls{"upsert service default/web", "upsert service default/db", "upsert slice default/ext-1"});

  // The same snapshot again: nothing.
  adapter.apply({web("web"), web("db", "default", "db", "10.96.0.11")}, {slice("ext-1", "ext", "10.2.0.1")});
  CHECK(input.take().empty());

  // db changed, web gone, the slice changed, a new slice.
  adapter.apply({web("db", "default", "db", "10.96.0.12")}, {slice("ext-1", "ext", "10.2.0.2"), slice("ext-2", "ext", "10.2.0.3")});
  CHECK(input.take() ==
        Calls{"delete service default/web", "upsert service default/db", "upsert slice default/ext-1", "upsert slice default/ext-2"});

  // Only metadata changed (a label): still a change, the proxy decides it is a no-op.
  auto db = web("db", "default", "db", "10.96.0.12");
  db.metadata.labels.emplace("team", "x");
  adapter.apply({db}, {slice("ext-2", "ext", "10.2.0.3")});
  CHECK(input.take() == Calls{"delete slice default/ext-1", "upsert service default/db"});

  adapter.apply({}, {});
  CHECK(input.take() == Calls{"delete service default/db", "delete slice default/ext-2"});
}
