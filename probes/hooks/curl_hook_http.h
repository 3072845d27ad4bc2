// The real HookHttp: one libcurl GET per hook, made on a short-lived thread inside the pod's
// network namespace (network/netlink/netns.h), so that the socket is the pod's. No connection
// reuse: hooks are rare, and each pod's namespace has its own connections anyway.
#pragma once

#include "probes/hooks/hook_runner.h"

namespace nodeagent::probes::hooks {

class CurlHookHttp final : public HookHttp {
 public:
  CurlHookHttp();
  Result<HttpGetResult> get(const HttpGetRequest& request) override;
};

}  // namespace nodeagent::probes::hooks
