#include "agent/pods/observe.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <sstream>

namespace nodeagent::pods {

namespace {

constexpr size_t kMaxMessageBytes = 4096;
constexpr size_t kFallbackLines = 80;
constexpr size_t kFallbackBytes = 2048;

const kube::Container* find_container(const kube::Pod& pod, const std::string& name) {
  for (const auto* list : {&pod.spec.init_containers, &pod.spec.containers})
    for (const auto& c : *list)
      if (c.name == name) return &c;
  return nullptr;
}

std::string read_prefix(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string data(max, '\0');
  in.read(data.data(), static_cast<std::streamsize>(max));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

// The message part of the last CRI log lines ("<ts> <stream> <tag> <msg>").
std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    int spaces = 0;
    size_t pos = 0;
    while (spaces < 3 && pos != std::string::npos) {
      pos = line.find(' ', pos);
      if (pos != std::string::npos) ++pos, ++spaces;
    }
    lines.push_back(pos == std::string::npos ? line : line.substr(pos));
    if (lines.size() > kFallbackLines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  if (out.size() > kFallbackBytes) out = out.substr(out.size() - kFallbackBytes);
  return out;
}

}  // namespace

std::string read_termination_message(const kube::Container& c, const ContainerInstance& inst,
                                     const std::string& termination_file, const std::string& log_path) {
  std::string msg = read_prefix(termination_file, kMaxMessageBytes);
  if (msg.empty() && c.termination_message_policy == "FallbackToLogsOnError" && inst.state.exit_code != 0)
    msg = log_tail(log_path);
  return msg;
}

Result<PodRuntimeState> observe_pod(runtime::ContainerService& containers, const kube::Pod& pod, const PodPaths& paths) {
  PodRuntimeState state;
  state.pod_uid = pod.metadata.uid;
  NA_ASSIGN_OR_RETURN(auto found, containers.list_containers({{labels::kPodUid, pod.metadata.uid}}));
  for (auto& cs : found) {
    ContainerInstance inst;
    inst.id = cs.id;
    inst.name = cs.labels[labels::kContainerName];
    inst.init = cs.labels[labels::kContainerKind] == "init";
    inst.attempt = attempt_of(cs.labels);
    inst.image_ref = cs.image_ref;
    inst.state = cs;
    if (cs.state == runtime::ContainerStateKind::kExited) {
      if (const auto* spec = find_container(pod, inst.name))
        inst.termination_message = read_termination_message(
            *spec, inst, paths.termination_log(pod.metadata.uid, inst.name, inst.attempt),
            paths.log_path(pod, inst.name, inst.attempt));
    }
    state.containers[inst.name].push_back(std::move(inst));
  }
  for (auto& [name, list] : state.containers)
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.attempt < b.attempt; });
  return state;
}

}  // namespace nodeagent::pods
