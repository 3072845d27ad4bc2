// A pods::ServiceListerPort that lists the Services a test gives it.
#pragma once

#include <mutex>
#include <vector>

#include "agent/pods/service_env.h"

namespace nodeagent::fakes {

class FakeServiceLister : public pods::ServiceListerPort {
 public:
  std::vector<kube::Service> services() const override {
    std::lock_guard lock(mu_);
    return services_;
  }
  void add(kube::Service service) {
    std::lock_guard lock(mu_);
    services_.push_back(std::move(service));
  }

 private:
  mutable std::mutex mu_;
  std::vector<kube::Service> services_;
};

}  // namespace nodeagent::fakes
