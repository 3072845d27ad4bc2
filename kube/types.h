// The Kubernetes object model the agent acts on: core/v1 Pod, Service, Event, ConfigMap, Secret,
// PersistentVolume, PersistentVolumeClaim and discovery.k8s.io/v1 EndpointSlice, as plain structs. Member names are the JSON names in
// snake_case (terminationGracePeriodSeconds -> termination_grace_period_seconds).
//
// Conventions:
//  - std::optional where upstream uses a pointer and absence means something (run_as_user,
//    active_deadline_seconds, probes, ...). Plain values where the API server always defaults
//    the field (restart_policy, dns_policy, image_pull_policy, ...): after decode() + defaults
//    these hold the defaulted value, never "".
//  - A volume source / probe handler / container state is "one of" several optionals; exactly
//    one is set in a valid object.
//  - Fields the agent keeps but does not interpret (affinity, topologySpreadConstraints, ...)
//    are RawJson: compact JSON text, "" when absent; the encoder writes them back unchanged.
//  - Times are metav1.Time (RFC 3339, second precision on the wire); Event.event_time is a
//    MicroTime (microseconds).
// Include this header; the definitions live in types_meta.h, types_container.h, types_pod.h,
// types_service.h, types_config.h and types_storage.h so that each stays readable.
#pragma once

#include "kube/types_config.h"
#include "kube/types_container.h"
#include "kube/types_meta.h"
#include "kube/types_pod.h"
#include "kube/types_service.h"
#include "kube/types_storage.h"
