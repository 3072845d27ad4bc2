// Runs one probe through a SocketProber on a loop of its own and waits for its result: the
// driving loop the prober's unit tests share (the agent's Prober does the same on its thread).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include "probes/handlers/io_loop.h"
#include "probes/handlers/netns_sockets.h"
#include "probes/handlers/socket_prober.h"

namespace nodeagent::probes::testing {

struct SocketProberHarness {
  IoLoop loop;
  NetnsSockets sockets;
  SocketProber prober{loop, sockets, "kube-probe/0.1"};

  RunResult run(ProbeTarget target, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) {
    ProbeRun r;
    r.target = std::move(target);
    r.timeout = timeout;
    std::optional<RunResult> result;
    prober.start(r, [&](RunResult res) { result = std::move(res); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!result && std::chrono::steady_clock::now() < give_up) {
      prober.expire(std::chrono::steady_clock::now());
      prober.sweep();
      loop.run_once(50);
    }
    prober.sweep();
    REQUIRE(result);
    return *result;
  }
};

}  // namespace nodeagent::probes::testing
