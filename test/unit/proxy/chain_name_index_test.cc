// The x_tables editor's name index (network/iptables/kernel_table_index.h): finds every live
// chain through growth, erasures and re-insertions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "network/iptables/kernel_table_index.h"

using nodeagent::network::iptables::ChainData;
using nodeagent::network::iptables::ChainNameIndex;

TEST_CASE("chain name index: find, erase, re-insert and grow") {
  std::vector<ChainData> chains;
  ChainNameIndex index;
  CHECK(index.find(chains, "KUBE-SERVICES") == -1);
  auto add = [&](const std::string& name) {
    ChainData c;
    c.name = name;
    chains.push_back(c);
    index.insert(chains, static_cast<int>(chains.size()) - 1);
  };
  for (int i = 0; i < 5000; ++i) add("KUBE-SEP-" + std::to_string(i));
  for (int i = 0; i < 5000; ++i) REQUIRE(index.find(chains, "KUBE-SEP-" + std::to_string(i)) == i);
  CHECK(index.find(chains, "KUBE-SEP-5000") == -1);

  // Erase every other name: the rest stay findable, the erased ones are gone.
  for (int i = 0; i < 5000; i += 2) index.erase(chains, "KUBE-SEP-" + std::to_string(i));
  for (int i = 0; i < 5000; ++i) REQUIRE(index.find(chains, "KUBE-SEP-" + std::to_string(i)) == (i % 2 ? i : -1));
  index.erase(chains, "not there");

  // A name erased and created again gets its new index; many erasures and inserts (tombstones)
  // never make a lookup loop forever.
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 5000; i += 2) {
      const std::string name = "KUBE-SEP-" + std::to_string(i);
      if (round > 0) index.erase(chains, name);
      add(name);
    }
  }
  for (int i = 0; i < 5000; i += 2) {
    const int idx = index.find(chains, "KUBE-SEP-" + std::to_string(i));
    REQUIRE(idx >= 5000);
    CHECK(chains[static_cast<size_t>(idx)].name == "KUBE-SEP-" + std::to_string(i));
  }
  CHECK(index.find(chains, "KUBE-SEP-1") == 1);
}
