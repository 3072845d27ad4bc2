// Tables for nodectl's other verbs (ps, images, events, services), crictl/kubectl style.
// Pure: the caller passes the reply and the time.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/ctl/format.h"
#include "nodeagent/api.pb.h"

namespace nodeagent::ctl {

// CONTAINER  IMAGE  CREATED  STATE  NAME  ATTEMPT  POD
std::string containers_table(const v1::ListContainersResponse& reply, TimePoint now);
// IMAGE  TAG  IMAGE ID  SIZE (one row per tag, "<none>" rows for untagged images)
std::string images_table(const v1::ListImagesResponse& reply);
// LAST SEEN  TYPE  REASON  OBJECT  MESSAGE (a v1 EventList)
std::string events_table(const nlohmann::json& events, TimePoint now);
// NAMESPACE  NAME  TYPE  CLUSTER-IP  PORT(S)  ENDPOINTS, from the proxy's service view; fields
// it does not have are shown as <none>.
std::string services_table(const nlohmann::json& services);

// nodectl probes: POD CONTAINER PROBE HANDLER RESULT SUCCESSES FAILURES LAST CHANGE NEXT RUN MESSAGE.
std::string probes_table(const nlohmann::json& probes, TimePoint now);

}  // namespace nodeagent::ctl
