// Tests of when a log follow ends: cancel at once; a stopped writer only after one more round.
#include <catch2/catch.hpp>

#include <thread>

#include "agent/api/follow_policy.h"

using nodeagent::api::FollowPolicy;
using namespace std::chrono_literals;

TEST_CASE("a follow goes on while the writer is active and nobody cancelled") {
  int asked = 0;
  FollowPolicy p([] { return false; }, [&] { ++asked; return true; }, 0ms);
  for (int i = 0; i < 5; ++i) CHECK(p.keep_following());
  CHECK(asked == 5);
}

TEST_CASE("cancellation ends the follow at once") {
  bool cancelled = false;
  FollowPolicy p([&] { return cancelled; }, [] { return true; }, 0ms);
  CHECK(p.keep_following());
  cancelled = true;
  CHECK_FALSE(p.keep_following());
}

TEST_CASE("a stopped writer gets one more round, then the follow ends") {
  bool active = true;
  FollowPolicy p([] { return false; }, [&] { return active; }, 0ms);
  CHECK(p.keep_following());
  active = false;
  CHECK(p.keep_following());        // the round that drains the last lines
  CHECK_FALSE(p.keep_following());
  active = true;                    // a later answer does not revive it
  CHECK_FALSE(p.keep_following());
}

TEST_CASE("the writer is asked at most once per interval") {
  int asked = 0;
  FollowPolicy p([] { return false; }, [&] { ++asked; return true; }, 50ms);
  for (int i = 0; i < 10; ++i) CHECK(p.keep_following());
  CHECK(asked == 1);
  std::this_thread::sleep_for(60ms);
  CHECK(p.keep_following());
  CHECK(asked == 2);
}
