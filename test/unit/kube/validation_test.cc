// Validation: tables of bad pods and services with the exact errors the API server would give.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <sstream>

#include "kube/validation.h"
#include "fixtures.h"

using namespace nodeagent::kube;
using namespace nodeagent::kube::testing;

namespace {

std::vector<std::string> errors_of(const ErrorList& errs) {
  std::vector<std::string> out;
  for (const auto& e : errs) out.push_back(e.to_string());
  return out;
}

// A valid pod with one container, to which each case applies a change.
Pod base_pod() {
  return decode_pod_text(R"(
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - name: app
    image: busybox
    volumeMounts: [{name: data, mountPath: /data}]
)");
}

Probe exec_probe(std::vector<std::string> command = {"true"}) {
  Probe p;
  p.handler.exec = ExecAction{std::move(command)};
  return p;
}

}  // namespace

TEST_CASE("the example pods are valid", "[validation]") {
  for (const char* name : {"web-pod.yaml", "minimal-pod.yaml", "api-pod.json"}) {
    INFO(name);
    Pod pod = load_pod(name);
    CHECK(errors_of(validate_pod(pod)) == std::vector<std::string>{});
    CHECK(check_pod(pod).ok());
  }
  CHECK(validate_pod(base_pod()).empty());
}

TEST_CASE("bad pods give upstream's errors", "[validation]") {
  struct Case {
    const char* what;
    std::function<void(Pod&)> change;
    std::vector<std::string> errors;
  };
  const std::vector<Case> cases = {
      {"no containers", [](Pod& p) { p.spec.containers.clear(); }, {"spec.containers: Required value"}},
      {"no image", [](Pod& p) { p.spec.containers[0].image = ""; }, {"spec.containers[0].image: Required value"}},
      {"image with spaces", [](Pod& p) { p.spec.containers[0].image = " busybox"; },
       {"spec.containers[0].image: Invalid value: \" busybox\": must not have leading or trailing whitespace"}},
      {"no name", [](Pod& p) { p.metadata.name = ""; },
       {"metadata.name: Required value: name or generateName is required"}},
      {"a uid that would leave the pods dir", [](Pod& p) { p.metadata.uid = "../../etc"; },
       {"metadata.uid: Invalid value: \"../../etc\": must be 1-63 lower case alphanumeric characters or '-'"}},
      {"bad protocol", [](Pod& p) { p.spec.containers[0].ports.push_back({"", 0, 80, "HTTP", ""}); },
       {"spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""}},
      {"port 0", [](Pod& p) { p.spec.containers[0].ports.push_back({"", 0, 0, "TCP", ""}); },
       {"spec.containers[0].ports[0].containerPort: Required value"}},
      {"host port out of range", [](Pod& p) { p.spec.containers[0].ports.push_back({"", 70000, 80, "TCP", ""}); },
       {"spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
      {"duplicate port names",
       [](Pod& p) {
         p.spec.containers[0].ports.push_back({"http", 0, 80, "TCP", ""});
         p.spec.containers[0].ports.push_back({"http", 0, 81, "TCP", ""});
       },
       {"spec.containers[0].ports[1].name: Duplicate value: \"http\""}},
      {"port name too long", [](Pod& p) { p.spec.containers[0].ports.push_back({"a-very-long-port-name", 0, 80, "TCP", ""}); },
       {"spec.containers[0].ports[0].name: Invalid value: \"a-very-long-port-name\": must be no more than 15 characters"}},
      {"env name with '='", [](Pod& p) { p.spec.containers[0].env.push_back({"A=B", "x", std::nullopt}); },
       {"spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist "
        "only of printable ASCII characters other than '='"}},
      {"env value and valueFrom",
       [](Pod& p) {
         EnvVar e{"X", "1", EnvVarSource{}};
         e.value_from->field_ref = ObjectFieldSelector{"v1", "metadata.name"};
         p.spec.containers[0].env.push_back(e);
       },
       {"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"}},
      {"env valueFrom empty", [](Pod& p) { p.spec.containers[0].env.push_back({"X", "", EnvVarSource{}}); },
       {"spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, "
        "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"}},
      {"unsupported fieldPath",
       [](Pod& p) {
         EnvVar e{"X", "", EnvVarSource{}};
         e.value_from->field_ref = ObjectFieldSelector{"v1", "spec.foo"};
         p.spec.containers[0].env.push_back(e);
       },
       {"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"spec.foo\": supported values: "
        "\"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", "
        "\"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""}},
      {"requests above limits",
       [](Pod& p) {
         p.spec.containers[0].resources.limits["cpu"] = *parse_quantity("500m");
         p.spec.containers[0].resources.requests["cpu"] = *parse_quantity("1");
       },
       {"spec.containers[0].resources.requests[cpu]: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"}},
      {"unknown resource", [](Pod& p) { p.spec.containers[0].resources.limits["gpu"] = *parse_quantity("1"); },
       {"spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource for containers"}},
      {"mount path not unique",
       [](Pod& p) { p.spec.containers[0].volume_mounts.push_back(p.spec.containers[0].volume_mounts[0]); },
       {"spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique"}},
      {"subPath escapes", [](Pod& p) { p.spec.containers[0].volume_mounts[0].sub_path = "../etc"; },
       {"spec.containers[0].volumeMounts[0].subPath: Invalid value: \"../etc\": must not contain '..'"}},
      {"bidirectional without privilege",
       [](Pod& p) { p.spec.containers[0].volume_mounts[0].mount_propagation = "Bidirectional"; },
       {"spec.containers[0].volumeMounts[0].mountPropagation: Forbidden: Bidirectional mount propagation is "
        "available only to privileged containers"}},
      {"subPath and subPathExpr",
       [](Pod& p) {
         p.spec.containers[0].volume_mounts[0].sub_path = "a";
         p.spec.containers[0].volume_mounts[0].sub_path_expr = "$(POD_NAME)";
       },
       {"spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: \"$(POD_NAME)\": subPathExpr and subPath are "
        "mutually exclusive"}},
      {"recursiveReadOnly without readOnly",
       [](Pod& p) { p.spec.containers[0].volume_mounts[0].recursive_read_only = "Enabled"; },
       {"spec.containers[0].volumeMounts[0].recursiveReadOnly: Forbidden: may only be specified when readOnly is true"}},
      {"recursiveReadOnly with propagation",
       [](Pod& p) {
         auto& m = p.spec.containers[0].volume_mounts[0];
         m.read_only = true;
         m.recursive_read_only = "IfPossible";
         m.mount_propagation = "HostToContainer";
       },
       {"spec.containers[0].volumeMounts[0].recursiveReadOnly: Forbidden: may only be specified when mountPropagation "
        "is None or not specified"}},
      {"recursiveReadOnly unknown",
       [](Pod& p) {
         p.spec.containers[0].volume_mounts[0].read_only = true;
         p.spec.containers[0].volume_mounts[0].recursive_read_only = "Always";
       },
       {"spec.containers[0].volumeMounts[0].recursiveReadOnly: Unsupported value: \"Always\": supported values: "
        "\"Disabled\", \"Enabled\", \"IfPossible\""}},
      {"volume without source", [](Pod& p) { p.spec.volumes[0].empty_dir.reset(); },
       {"spec.volumes[0]: Required value: must specify a volume type"}},
      {"two volume sources", [](Pod& p) { p.spec.volumes[0].host_path = HostPathVolumeSource{"/tmp", ""}; },
       {"spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"}},
      {"bad hostPath type", [](Pod& p) {
         Volume v;
         v.name = "h";
         v.host_path = HostPathVolumeSource{"/x", "Dir"};
         p.spec.volumes.push_back(v);
       },
       {"spec.volumes[1].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", "
        "\"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""}},
      {"hostPath with a backstep", [](Pod& p) {
         Volume v;
         v.name = "h";
         v.host_path = HostPathVolumeSource{"/var/lib/../../etc", ""};
         p.spec.volumes.push_back(v);
       },
       {"spec.volumes[1].hostPath.path: Invalid value: \"/var/lib/../../etc\": must not contain '..'"}},
      {"bad defaultMode",
       [](Pod& p) {
         Volume v;
         v.name = "cm";
         v.config_map = ConfigMapVolumeSource{"settings", {}, 01000, std::nullopt};
         p.spec.volumes.push_back(v);
       },
       {"spec.volumes[1].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"}},
      {"liveness successThreshold",
       [](Pod& p) {
         Probe probe;
         probe.handler.exec = ExecAction{{"true"}};
         probe.success_threshold = 2;
         p.spec.containers[0].liveness_probe = probe;
       },
       {"spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"}},
      {"probe on a plain init container",
       [](Pod& p) {
         Container init = p.spec.containers[0];
         init.name = "init";
         init.readiness_probe = Probe{};
         init.readiness_probe->handler.exec = ExecAction{{"true"}};
         p.spec.init_containers.push_back(init);
       },
       {"spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"}},
      {"restartPolicy on an app container", [](Pod& p) { p.spec.containers[0].restart_policy = "Always"; },
       {"spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"}},
      {"sidecar restartPolicy value",
       [](Pod& p) {
         Container init = p.spec.containers[0];
         init.name = "side";
         init.restart_policy = "Never";
         p.spec.init_containers.push_back(init);
       },
       {"spec.initContainers[0].restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""}},
      {"active deadline 0", [](Pod& p) { p.spec.active_deadline_seconds = 0; },
       {"spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"}},
      {"negative grace period", [](Pod& p) { p.spec.termination_grace_period_seconds = -1; },
       {"spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"}},
      {"dnsPolicy None without nameservers", [](Pod& p) { p.spec.dns_policy = "None"; },
       {"spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when DNSPolicy is None"}},
      {"bad host alias IP", [](Pod& p) { p.spec.host_aliases.push_back({"10.0.0.300", {"db"}}); },
       {"spec.hostAliases[0].ip: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"}},
      {"bad label", [](Pod& p) { p.metadata.labels["app"] = "-web"; },
       {"metadata.labels: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric "
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
        "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"}},
      {"runAsUser negative",
       [](Pod& p) {
         p.spec.security_context->run_as_user = -1;
       },
       {"spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"}},
      // Probes and lifecycle hooks (validateProbe / validateHandler / validateLifecycle upstream).
      {"probe with two handlers",
       [](Pod& p) {
         p.spec.containers[0].readiness_probe = exec_probe();
         p.spec.containers[0].readiness_probe->handler.http_get = HTTPGetAction{"/", IntOrString::from_int(80), "", "HTTP", {}};
       },
       {"spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type"}},
      {"probe without a handler", [](Pod& p) { p.spec.containers[0].startup_probe = Probe{}; },
       {"spec.containers[0].startupProbe: Required value: must specify a handler type"}},
      {"hook without a handler",
       [](Pod& p) {
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->pre_stop = LifecycleHandler{};
       },
       {"spec.containers[0].lifecycle.preStop: Required value: must specify a handler type"}},
      {"hook with exec and sleep",
       [](Pod& p) {
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->post_start = LifecycleHandler{ExecAction{{"true"}}, std::nullopt, std::nullopt, SleepAction{1}};
       },
       {"spec.containers[0].lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type"}},
      {"exec without a command", [](Pod& p) { p.spec.containers[0].liveness_probe = exec_probe({}); },
       {"spec.containers[0].livenessProbe.exec.command: Required value"}},
      // Upstream checks only the name's syntax: the probe fails at run time instead.
      {"a named port the container does not declare is accepted",
       [](Pod& p) {
         p.spec.containers[0].ports.push_back({"http", 0, 8080, "TCP", ""});
         p.spec.containers[0].liveness_probe = Probe{};
         p.spec.containers[0].liveness_probe->handler.http_get = HTTPGetAction{"/", IntOrString::from_string("http"), "", "HTTP", {}};
         p.spec.containers[0].readiness_probe = Probe{};
         p.spec.containers[0].readiness_probe->handler.tcp_socket = TCPSocketAction{IntOrString::from_string("metrics"), ""};
       },
       {}},
      {"a port name against IANA_SVC_NAME",
       [](Pod& p) {
         p.spec.containers[0].readiness_probe = Probe{};
         p.spec.containers[0].readiness_probe->handler.tcp_socket = TCPSocketAction{IntOrString::from_string("web--1"), ""};
       },
       {"spec.containers[0].readinessProbe.tcpSocket.port: Invalid value: \"web--1\": must not contain consecutive hyphens"}},
      {"probe port 0",
       [](Pod& p) {
         p.spec.containers[0].readiness_probe = Probe{};
         p.spec.containers[0].readiness_probe->handler.http_get = HTTPGetAction{"/", IntOrString::from_int(0), "", "HTTP", {}};
       },
       {"spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"}},
      {"grpc port out of range",
       [](Pod& p) {
         p.spec.containers[0].liveness_probe = Probe{};
         p.spec.containers[0].liveness_probe->handler.grpc = GRPCAction{70000, ""};
       },
       {"spec.containers[0].livenessProbe.grpc.port: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
      {"startup successThreshold", [](Pod& p) { p.spec.containers[0].startup_probe = exec_probe(); p.spec.containers[0].startup_probe->success_threshold = 3; },
       {"spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"}},
      {"readiness successThreshold may be more than 1",
       [](Pod& p) { p.spec.containers[0].readiness_probe = exec_probe(); p.spec.containers[0].readiness_probe->success_threshold = 3; }, {}},
      {"negative probe fields",
       [](Pod& p) {
         auto probe = exec_probe();
         probe.initial_delay_seconds = -1;
         probe.timeout_seconds = -2;
         probe.period_seconds = -3;
         probe.success_threshold = -4;
         probe.failure_threshold = -5;
         p.spec.containers[0].readiness_probe = probe;
       },
       {"spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0",
        "spec.containers[0].readinessProbe.timeoutSeconds: Invalid value: -2: must be greater than or equal to 0",
        "spec.containers[0].readinessProbe.periodSeconds: Invalid value: -3: must be greater than or equal to 0",
        "spec.containers[0].readinessProbe.successThreshold: Invalid value: -4: must be greater than or equal to 0",
        "spec.containers[0].readinessProbe.failureThreshold: Invalid value: -5: must be greater than or equal to 0"}},
      {"liveness probe grace 0",
       [](Pod& p) { p.spec.containers[0].liveness_probe = exec_probe(); p.spec.containers[0].liveness_probe->termination_grace_period_seconds = 0; },
       {"spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"}},
      {"readiness probe with a grace period",
       [](Pod& p) { p.spec.containers[0].readiness_probe = exec_probe(); p.spec.containers[0].readiness_probe->termination_grace_period_seconds = 10; },
       {"spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes"}},
      {"sleep longer than the grace period",
       [](Pod& p) {
         p.spec.termination_grace_period_seconds = 10;
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->pre_stop = LifecycleHandler{std::nullopt, std::nullopt, std::nullopt, SleepAction{11}};
       },
       {"spec.containers[0].lifecycle.preStop.sleep: Invalid value: 11: must be non-negative and less than "
        "terminationGracePeriodSeconds (10)"}},
      {"negative sleep",
       [](Pod& p) {
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->post_start = LifecycleHandler{std::nullopt, std::nullopt, std::nullopt, SleepAction{-1}};
       },
       {"spec.containers[0].lifecycle.postStart.sleep: Invalid value: -1: must be non-negative and less than "
        "terminationGracePeriodSeconds (30)"}},
      {"sleep 0 and sleep of the whole grace period are fine",
       [](Pod& p) {
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->post_start = LifecycleHandler{std::nullopt, std::nullopt, std::nullopt, SleepAction{0}};
         p.spec.containers[0].lifecycle->pre_stop = LifecycleHandler{std::nullopt, std::nullopt, std::nullopt, SleepAction{30}};
       },
       {}},
      {"stopSignal without spec.os",
       [](Pod& p) {
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->stop_signal = "SIGUSR1";
       },
       {"spec.containers[0].lifecycle.stopSignal: Forbidden: may not be set for containers with empty `spec.os.name`"}},
      {"stopSignal on linux",
       [](Pod& p) {
         p.spec.os = PodOS{"linux"};
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->stop_signal = "SIGRTMIN+3";
       },
       {}},
      {"unknown stopSignal",
       [](Pod& p) {
         p.spec.os = PodOS{"windows"};
         p.spec.containers[0].lifecycle = Lifecycle{};
         p.spec.containers[0].lifecycle->stop_signal = "SIGUSR1";
       },
       {"spec.containers[0].lifecycle.stopSignal: Unsupported value: \"SIGUSR1\": supported values: \"SIGKILL\", \"SIGTERM\""}},
      {"windows os is not an error here (admission decides)", [](Pod& p) { p.spec.os = PodOS{"windows"}; }, {}},
      {"os name", [](Pod& p) { p.spec.os = PodOS{"plan9"}; },
       {"spec.os.name: Unsupported value: \"plan9\": supported values: \"linux\", \"windows\""}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    Pod pod = base_pod();
    c.change(pod);
    CHECK(errors_of(validate_pod(pod)) == c.errors);
  }
}

TEST_CASE("all errors are returned, with a one-line summary and the API's message", "[validation]") {
  Pod pod = base_pod();
  pod.spec.containers[0].image = "";
  pod.spec.restart_policy = "Sometimes";
  ErrorList errs = validate_pod(pod);
  REQUIRE(errs.size() == 2);
  CHECK(one_line_summary("pod default/web", errs) ==
        "pod default/web: spec.containers[0].image: Required value; spec.restartPolicy: Unsupported value: "
        "\"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
  CHECK(api_error_message("Pod", "web", errs) ==
        "Pod \"web\" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: "
        "\"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"]");
  CHECK(api_error_message("Pod", "web", {errs[0]}) == "Pod \"web\" is invalid: spec.containers[0].image: Required value");
  auto status = check_pod(pod);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == nodeagent::ErrorCode::kInvalid);
  CHECK(status.error().message.rfind("pod default/web: spec.containers[0].image: Required value; ", 0) == 0);
}

TEST_CASE("every manifest in fixtures/manifests/invalid gives exactly its expected errors", "[validation]") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(std::string(KUBE_FIXTURES) + "/invalid")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const std::string text = read_fixture("invalid/" + entry.path().filename().string());
    std::vector<std::string> expected;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("# expect: ", 0) == 0) expected.push_back(line.substr(10));
    }
    INFO(entry.path().filename().string());
    REQUIRE_FALSE(expected.empty());
    Pod pod = decode_pod_text(text);
    CHECK(errors_of(validate_pod(pod)) == expected);
  }
  CHECK(files >= 4);
}

TEST_CASE("service validation", "[validation]") {
  auto r = decode_manifests(read_fixture("service.yaml"));
  REQUIRE(r.ok());
  for (const auto& d : *r) CHECK(errors_of(validate_service(std::get<Service>(d.object))) == std::vector<std::string>{});

  Service svc = std::get<Service>((*r)[0].object);
  svc.metadata.name = "1web";
  svc.spec.ports[0].port = 0;
  svc.spec.ports[1].name = "";
  svc.spec.ports[1].node_port = 30000;
  svc.spec.session_affinity = "Sticky";
  CHECK(errors_of(validate_service(svc)) ==
        std::vector<std::string>{
            "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric "
            "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
            "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[1].name: Required value",
            "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
            "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\""});
  CHECK_FALSE(check_service(svc).ok());
}

TEST_CASE("endpoint slice validation", "[validation]") {
  auto r = decode_manifests(read_fixture("endpointslice.yaml"));
  REQUIRE(r.ok());
  EndpointSlice slice = std::get<EndpointSlice>((*r)[0].object);
  CHECK(validate_endpoint_slice(slice).empty());
  slice.endpoints[0].addresses = {"fd00::1"};
  slice.address_type = "IPv5";
  CHECK(errors_of(validate_endpoint_slice(slice)) ==
        std::vector<std::string>{"addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""});
  slice.address_type = "IPv4";
  CHECK(errors_of(validate_endpoint_slice(slice)) ==
        std::vector<std::string>{"endpoints[0].addresses[0]: Invalid value: \"fd00::1\": must be a valid IPv4 address"});
}

TEST_CASE("features the node cannot run are listed for admission", "[validation]") {
  CHECK(unsupported_features(load_pod("web-pod.yaml")).empty());
  Pod pod = decode_pod_text(R"(
apiVersion: v1
kind: Pod
metadata: {name: nfs}
spec:
  volumes:
  - name: ok
    emptyDir: {}
  - name: share
    nfs: {server: 10.0.0.1, path: /export}
  containers:
  - name: c
    image: busybox
    volumeDevices: [{name: share, devicePath: /dev/xvda}]
)");
  CHECK(validate_pod(pod).empty());  // the API accepts it...
  CHECK(errors_of(unsupported_features(pod)) ==  // ...this node cannot run it
        std::vector<std::string>{"spec.volumes[1].nfs: Forbidden: volume type not supported by this node"});
}
