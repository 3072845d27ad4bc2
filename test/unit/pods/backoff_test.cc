#include <catch2/catch.hpp>

#include "agent/pods/backoff.h"

using namespace nodeagent;
using namespace nodeagent::pods;
using namespace std::chrono_literals;

TEST_CASE("back-off doubles from 10s to a 300s cap") {
  ManualClock clock;
  Backoff b(clock);
  CHECK_FALSE(b.in_backoff("k", clock.now()));
  std::vector<int64_t> delays;
  for (int i = 0; i < 8; ++i) {
    b.next("k", clock.now());
    delays.push_back(std::chrono::duration_cast<std::chrono::seconds>(b.delay("k")).count());
    clock.advance(1s);
  }
  CHECK(delays == std::vector<int64_t>{10, 20, 40, 80, 160, 300, 300, 300});
}

TEST_CASE("back-off is measured from when the container finished") {
  ManualClock clock;
  Backoff b(clock);
  b.next("k", clock.now());
  auto finished = clock.now();
  clock.advance(9s);
  CHECK(b.in_backoff("k", finished));
  clock.advance(1s);
  CHECK_FALSE(b.in_backoff("k", finished));
}

TEST_CASE("back-off since the last update: for retries with no end time (pulls, sandboxes)") {
  ManualClock clock;
  Backoff b(clock);
  CHECK_FALSE(b.in_backoff_since_update("k"));
  b.next("k", clock.now());
  clock.advance(9s);
  CHECK(b.in_backoff_since_update("k"));
  clock.advance(1s);
  CHECK_FALSE(b.in_backoff_since_update("k"));
  b.next("k", clock.now());  // failed again: twice as long
  clock.advance(19s);
  CHECK(b.in_backoff_since_update("k"));
  clock.advance(1s);
  CHECK_FALSE(b.in_backoff_since_update("k"));
}

TEST_CASE("back-off resets after 10 minutes of clean running") {
  ManualClock clock;
  Backoff b(clock);
  for (int i = 0; i < 4; ++i) b.next("k", clock.now());
  CHECK(b.delay("k") == 80s);
  clock.advance(601s);
  CHECK(b.delay("k") == 0s);
  b.next("k", clock.now());
  CHECK(b.delay("k") == 10s);
}

TEST_CASE("reset_prefix forgets a pod's containers only") {
  ManualClock clock;
  Backoff b(clock);
  b.next("uid1/a", clock.now());
  b.next("uid2/a", clock.now());
  b.reset_prefix("uid1/");
  CHECK(b.delay("uid1/a") == 0s);
  CHECK(b.delay("uid2/a") == 10s);
}
