#include "agent/pods/observe.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <sstream>

#include "kube/pod_util.h"
#include "util/log.h"
#include "runtime/logs/cri_format.h"

namespace nodeagent::pods {

namespace {

constexpr size_t kMaxMessageBytes = 4096;
constexpr size_t kFallbackLines = 80;
constexpr size_t kFallbackBytes = 2048;

std::string read_prefix(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string data(max, '\0');
  in.read(data.data(), static_cast<std::streamsize>(max));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

// The tail of a CRI log as kubelet reads it for FallbackToLogsOnError (ReadLogs with tail 80
// lines, 2048 bytes): each record's content, a newline after every full (F) record, none after
// a partial (P) one, so that an unterminated last line is there as written.
std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::deque<std::string> lines;  // the output, a complete line (or the partial tail) each
  bool open_line = false;         // the last record was a partial: the next one continues it
  std::string raw;
  while (std::getline(in, raw)) {
    auto record = runtime::logs::parse_record(raw);
    if (!record.ok()) continue;  // a torn write at rotation: skip it as kubelet's reader does
    if (!open_line) lines.emplace_back();
    lines.back() += record->content;
    open_line = record->partial;
    if (!open_line) lines.back() += '\n';
    if (lines.size() > kFallbackLines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l;
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
    inst.stop_signal = cs.labels[labels::kStopSignal];
    inst.state = cs;
    if (cs.state == runtime::ContainerStateKind::kExited) {
      // Release the exited task first: its shim holds the stdio pipes open until then, so the
      // logger has not yet written an unterminated last line ("echo -n DONE; false") that
      // FallbackToLogsOnError must see. The release also ends the shim.
      if (cs.task_held) {
        if (auto st = containers.release_exited(cs.id); !st.ok())
          log::get("pods")->warn("pod={}/{} container={}: {}", pod.metadata.namespace_, pod.metadata.name, cs.id,
                                 st.error().message);
      }
      if (const auto* spec = kube::find_container(pod, inst.name))
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
