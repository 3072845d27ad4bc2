#include "agent/kube/qos.h"

namespace nodeagent::kube {

std::string qos_class(const Pod& pod) {
  static const char* kTracked[] = {"cpu", "memory"};
  bool any = false;
  bool guaranteed = true;
  for (const auto* list : {&pod.spec.init_containers, &pod.spec.containers}) {
    for (const auto& c : *list) {
      for (const char* r : kTracked) {
        auto req = c.resources.requests.find(r);
        auto lim = c.resources.limits.find(r);
        bool has_req = req != c.resources.requests.end() && !req->second.is_zero();
        bool has_lim = lim != c.resources.limits.end() && !lim->second.is_zero();
        if (has_req || has_lim) any = true;
        if (!has_lim) guaranteed = false;
        else if (has_req && !(req->second == lim->second)) guaranteed = false;
      }
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

}  // namespace nodeagent::kube
