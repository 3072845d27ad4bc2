// Shared helpers of the containerd integration tests: a config for a busybox container in the
// test's namespace, a service wired to the fixture and polling (temp dirs are test/support/temp_dir.h).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/containerd/container_service.h"
#include "test/support/containerd_fixture.h"
#include "test/support/temp_dir.h"

namespace nodeagent::testing {

inline runtime::ContainerConfig busybox_config(const ContainerdNamespace& ns, const runtime::ImageInfo& image,
                                               const std::string& id, std::vector<std::string> args) {
  runtime::ContainerConfig c;
  c.id = id;
  c.image_ref = image.repo_tags.front();
  c.image = image;
  c.args = std::move(args);
  c.env = image.config.env;
  c.hostname = id;
  // Under /<namespace>/ so the namespace's cleanup removes what runc leaves.
  c.resources.cgroups_path = "/" + ns.name() + "/" + id;
  c.labels = {{"test", "containerd-integration"}};
  return c;
}

inline std::unique_ptr<runtime::ctd::ContainerdContainerService> make_service(const ContainerdNamespace& ns,
                                                                                const std::string& logger = "") {
  runtime::ctd::ContainerServiceOptions options;
  options.fifo_dir = ContainerdFixture::instance().fifo_dir();
  options.logger_path = logger.empty() ? "/nonexistent/nodeagent-logger" : logger;
  return std::make_unique<runtime::ctd::ContainerdContainerService>(ns.connection(), options);
}

// Polls `pred` every 20 ms until true or `timeout`.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

inline runtime::ContainerStateKind state_of(runtime::ContainerService& svc, const std::string& id) {
  auto st = svc.container_status(id);
  return st.ok() ? st->state : runtime::ContainerStateKind::kUnknown;
}

}  // namespace nodeagent::testing
