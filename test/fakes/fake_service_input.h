// A services::ServiceInput that records every call as one line ("upsert service default/web",
// "delete slice default/web-1", ...), for tests of what feeds the service proxy glue.
#pragma once

#include <mutex>
#include <utility>
#include <string>
#include <vector>

#include "agent/services/service_input.h"

namespace nodeagent::fakes {

class FakeServiceInput : public services::ServiceInput {
 public:
  void upsert_service(const kube::Service& s) override { add("upsert service ", s.metadata.namespace_, "/", s.metadata.name); }
  void delete_service(const std::string& ns, const std::string& name) override { add("delete service ", ns, "/", name); }
  void upsert_endpoint_slice(const kube::EndpointSlice& s) override {
    add("upsert slice ", s.metadata.namespace_, "/", s.metadata.name);
  }
  void delete_endpoint_slice(const std::string& ns, const std::string& name) override { add("delete slice ", ns, "/", name); }
  void upsert_pod(const kube::Pod& p) override { add("upsert pod ", p.metadata.uid); }
  void delete_pod(const std::string& uid) override { add("delete pod ", uid); }

  // The calls so far, cleared.
  std::vector<std::string> take() {
    std::lock_guard lock(mu_);
    return std::exchange(calls_, {});
  }

 private:
  // Appended piece by piece: GCC 12 reports a false -Wrestrict for chains of operator+.
  template <typename... Parts>
  void add(const Parts&... parts) {
    std::string call;
    (call.append(parts), ...);
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(call));
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace nodeagent::fakes
