// Validation as the API server does it (pkg/apis/core/validation ValidatePod*, ValidateService,
// discovery ValidateEndpointSlice): every problem is returned, each with its field path and
// upstream's wording. Run it on decoded (defaulted) objects.
//   auto errs = validate_pod(pod);
//   if (!errs.empty()) log->warn("{}", one_line_summary(full_name(pod), errs));
#pragma once

#include "kube/field_error.h"
#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

ErrorList validate_pod(const Pod& pod);
ErrorList validate_service(const Service& service);
ErrorList validate_endpoint_slice(const EndpointSlice& slice);
ErrorList validate_object_meta(const ObjectMeta& meta, bool namespaced, bool name_is_dns1035 = false);

// What the API server accepts but this agent cannot run: volume types other than emptyDir,
// hostPath, configMap, secret, downwardAPI, projected and persistentVolumeClaim (nfs, csi, ...),
// clusterTrustBundle projections, ephemeral containers (volumeDevices of Block-mode claims are
// served by volumes/pvc). Admission turns a
// non-empty list into a Failed pod instead of a half-started one.
ErrorList unsupported_features(const Pod& pod);

// ok, or kInvalid with "pod default/web: <err1>; <err2>".
Status check_pod(const Pod& pod);
Status check_service(const Service& service);

}  // namespace nodeagent::kube
