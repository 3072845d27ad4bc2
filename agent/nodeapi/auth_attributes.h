// kubelet's NodeAuthorizerAttributesGetter (pkg/kubelet/server/auth.go, v1.37, with the GA
// KubeletFineGrainedAuthz): the SubjectAccessReview attributes of a request to the node API.
// Verb from the HTTP method; resource `nodes`, name = the node; subresources in the order they
// are tried (the first allowed one wins):
//   /pods, /allocatedPods, /runningpods/  -> pods, proxy       /healthz -> healthz, proxy
//   /configz -> configz, proxy    /flagz -> configz             /stats/ -> stats
//   /metrics* -> metrics          /logs/ -> log                 /checkpoint/ -> checkpoint
//   /statusz -> statusz           everything else (containerLogs, exec, ...) -> proxy
#pragma once

#include <string>
#include <vector>

namespace nodeagent::nodeapi {

struct NodeAttributes {
  std::string verb;                       // create get update patch delete ("" for others)
  std::vector<std::string> subresources;  // never empty
};

NodeAttributes node_request_attributes(const std::string& method, const std::string& path);

// Go's isSubpath: `path` is `base` (trailing '/' ignored) or below it.
bool is_subpath(const std::string& path, const std::string& base);

// kubelet's 403 body: "Forbidden (user=u, verb=get, resource=nodes, subresource(s)=[stats])\n".
std::string forbidden_message(const std::string& user, const NodeAttributes& attrs);

}  // namespace nodeagent::nodeapi
