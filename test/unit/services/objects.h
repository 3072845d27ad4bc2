// Test objects for the service proxy glue: kube Services and EndpointSlices from JSON through
// kube's decoder (so they carry the API defaults, as manifests do), and pods with a status.
#pragma once

#include <string>

#include "kube/types.h"
#include "test/support/proxy_objects.h"

namespace servicestest {

using namespace nodeagent;

inline kube::Service service(const std::string& json_text) {
  auto svc = proxytest::decode_service(nlohmann::json::parse(json_text));
  if (!svc.ok()) throw std::runtime_error(svc.error().message);
  return *svc;
}

// A ClusterIP Service "ns/name" selecting app=<app>, port 80 -> targetPort 8080.
inline kube::Service web(const std::string& name = "web", const std::string& ns = "default", const std::string& app = "web",
                         const std::string& cluster_ip = "10.96.0.10") {
  return service(R"({"metadata": {"name": ")" + name + R"(", "namespace": ")" + ns + R"("},
    "spec": {"clusterIP": ")" + cluster_ip + R"(", "selector": {"app": ")" + app + R"("},
             "ports": [{"port": 80, "targetPort": 8080}]}})");
}

inline kube::EndpointSlice slice(const std::string& name, const std::string& service_name, const std::string& ip) {
  auto s = proxytest::decode_slice(nlohmann::json::parse(R"({"metadata": {"name": ")" + name +
                                                         R"(", "labels": {"kubernetes.io/service-name": ")" + service_name +
                                                         R"("}}, "addressType": "IPv4", "ports": [{"port": 8080}],
    "endpoints": [{"addresses": [")" + ip + R"("]}]})"));
  if (!s.ok()) throw std::runtime_error(s.error().message);
  return *s;
}

inline kube::Pod pod(const std::string& uid, const std::string& name, const std::string& ip, bool ready,
                     const std::string& app = "web", const std::string& ns = "default") {
  kube::Pod p;
  p.metadata.uid = uid;
  p.metadata.name = name;
  p.metadata.namespace_ = ns;
  p.metadata.labels = {{"app", app}};
  p.status.pod_ip = ip;
  kube::PodCondition c;
  c.type = "Ready";
  c.status = ready ? "True" : "False";
  p.status.conditions.push_back(c);
  return p;
}

}  // namespace servicestest
