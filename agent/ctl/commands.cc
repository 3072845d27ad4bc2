// nodectl's verbs over the generated gRPC client (see commands.h). Formatting lives in
// format.h/tables.h; this file only calls, prints and chooses exit codes.
#include "agent/ctl/commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <grpcpp/client_context.h>

#include "agent/ctl/format.h"
#include "agent/ctl/tables.h"
#include "kube/yaml.h"
#include "util/version.h"

#ifndef NODECTL_VERSION
#define NODECTL_VERSION "unknown"
#endif

namespace nodeagent::ctl {
namespace {

using nlohmann::json;

constexpr int kExitTimedOut = 124;  // as timeout(1)

int fail_rpc(const Client& client, const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && status.error_message().find("connect") != std::string::npos) {
    return fail("cannot reach nodeagent at " + client.socket_path() + ": " + status.error_message());
  }
  return fail(status.error_message());
}

TimePoint now() { return std::chrono::system_clock::now(); }

// Prints a JSON document in the requested form (json is the default for inspect-like verbs).
int print_document(const std::string& text, const std::string& output) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return fail("the agent sent malformed JSON");
  if (output == "yaml") {
    std::cout << kube::to_yaml(doc);
  } else {
    std::cout << doc.dump(4) << "\n";
  }
  return 0;
}

bool valid_output(const std::string& output, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (output == a) return true;
  }
  return false;
}

}  // namespace

int fail(const std::string& message) {
  std::cerr << "nodectl: " << message << "\n";
  return 1;
}

int run_pods(Client& client, const PodsArgs& args) {
  if (!valid_output(args.output, {"", "wide", "json", "yaml"})) {
    return fail("unknown output format \"" + args.output + "\": use json, yaml or wide");
  }
  grpc::ClientContext ctx;
  v1::ListPodsRequest req;
  req.set_namespace_(args.all_namespaces ? "" : args.namespace_name);
  req.set_label_selector(args.selector);
  v1::JsonDocument reply;
  if (auto st = client.stub().ListPods(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  if (args.output == "json" || args.output == "yaml") return print_document(reply.json(), args.output);
  json list = json::parse(reply.json(), nullptr, false);
  if (list.is_discarded()) return fail("the agent sent malformed JSON");
  if (!list.contains("items") || list["items"].empty()) {
    std::cerr << (args.namespace_name.empty() || args.all_namespaces ? std::string("No resources found\n")
                                                                     : "No resources found in " + args.namespace_name +
                                                                           " namespace.\n");
    return 0;
  }
  PodTableOptions options;
  options.wide = args.output == "wide";
  options.all_namespaces = args.all_namespaces;
  std::cout << pods_table(list, now(), options);
  return 0;
}

int run_ps(Client& client, const PsArgs& args) {
  grpc::ClientContext ctx;
  v1::ListContainersRequest req;
  req.set_pod(args.pod);
  req.set_all(args.all);
  v1::ListContainersResponse reply;
  if (auto st = client.stub().ListContainers(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  if (args.quiet) {
    for (const auto& c : reply.containers()) std::cout << c.id() << "\n";
    return 0;
  }
  std::cout << containers_table(reply, now());
  return 0;
}

int run_inspectp(Client& client, const std::string& pod, const std::string& output) {
  if (!valid_output(output, {"", "json", "yaml"})) return fail("unknown output format \"" + output + "\": use json or yaml");
  grpc::ClientContext ctx;
  v1::PodRef req;
  req.set_pod(pod);
  v1::JsonDocument reply;
  if (auto st = client.stub().GetPod(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  return print_document(reply.json(), output);
}

int run_inspect(Client& client, const std::string& container, const std::string& output) {
  if (!valid_output(output, {"", "json", "yaml"})) return fail("unknown output format \"" + output + "\": use json or yaml");
  grpc::ClientContext ctx;
  v1::ContainerRef req;
  req.set_container(container);
  v1::JsonDocument reply;
  if (auto st = client.stub().InspectContainer(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  return print_document(reply.json(), output);
}

int run_logs(Client& client, const LogsArgs& args) {
  grpc::ClientContext ctx;
  v1::LogsRequest req;
  req.set_pod(args.pod);
  req.set_container(args.container);
  req.set_follow(args.follow);
  req.set_previous(args.previous);
  req.set_tail_lines(args.tail);
  req.set_timestamps(args.timestamps);
  auto reader = client.stub().Logs(&ctx, req);
  v1::LogChunk chunk;
  while (reader->Read(&chunk)) {
    std::cout << chunk.data();
    // Following: show each chunk as it comes, not when the buffer fills.
    if (args.follow) std::cout.flush();
  }
  std::cout.flush();
  if (auto st = reader->Finish(); !st.ok()) return fail_rpc(client, st);
  return 0;
}

int run_exec(Client& client, const ExecArgs& args) {
  if (args.command.empty()) return fail("exec: no command given (nodectl exec POD -- CMD ARGS...)");
  grpc::ClientContext ctx;
  v1::ExecRequest req;
  req.set_pod(args.pod);
  req.set_container(args.container);
  for (const auto& a : args.command) req.add_command(a);
  req.set_timeout_seconds(args.timeout_seconds);
  auto reader = client.stub().Exec(&ctx, req);
  v1::ExecOutput out;
  int exit_code = -1;
  while (reader->Read(&out)) {
    if (!out.stdout().empty()) std::cout << out.stdout() << std::flush;
    if (!out.stderr().empty()) std::cerr << out.stderr() << std::flush;
    if (out.exited()) exit_code = out.exit_code();
  }
  auto st = reader->Finish();
  if (st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    fail("exec in pod \"" + args.pod + "\": " + st.error_message());
    return kExitTimedOut;
  }
  if (!st.ok()) return fail_rpc(client, st);
  if (exit_code < 0) return fail("exec: the agent did not report an exit code");
  return exit_code;
}

int run_images(Client& client, bool quiet) {
  grpc::ClientContext ctx;
  v1::ListImagesResponse reply;
  if (auto st = client.stub().ListImages(&ctx, v1::ListImagesRequest(), &reply); !st.ok()) return fail_rpc(client, st);
  if (quiet) {
    for (const auto& i : reply.images()) std::cout << i.id() << "\n";
    return 0;
  }
  std::cout << images_table(reply);
  return 0;
}

int run_pull(Client& client, const std::string& image, const std::string& creds) {
  v1::PullImageRequest req;
  req.set_image(image);
  if (!creds.empty()) {
    auto colon = creds.find(':');
    if (colon == std::string::npos) return fail("--creds: expected USER:PASSWORD");
    req.set_username(creds.substr(0, colon));
    req.set_password(creds.substr(colon + 1));
  }
  grpc::ClientContext ctx;
  v1::Image reply;
  if (auto st = client.stub().PullImage(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  std::cout << "Image is up to date for " << reply.id() << "\n";
  return 0;
}

int run_import(Client& client, const std::string& file, const std::string& name) {
  v1::ImportImageRequest req;
  // The agent reads the archive from the node's filesystem: send an absolute path.
  char* resolved = ::realpath(file.c_str(), nullptr);
  if (!resolved) return fail("import: cannot read " + file + ": " + std::strerror(errno));
  req.set_path(resolved);
  std::free(resolved);
  req.set_name(name);
  grpc::ClientContext ctx;
  v1::ListImagesResponse reply;
  if (auto st = client.stub().ImportImage(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  for (const auto& i : reply.images()) {
    std::cout << "Imported " << (i.repo_tags().empty() ? i.id() : i.repo_tags(0)) << " " << i.id() << "\n";
  }
  return 0;
}

int run_rmi(Client& client, const std::vector<std::string>& images) {
  int rc = 0;
  for (const auto& image : images) {
    grpc::ClientContext ctx;
    v1::RemoveImageRequest req;
    req.set_image(image);
    v1::RemoveImageResponse reply;
    if (auto st = client.stub().RemoveImage(&ctx, req, &reply); !st.ok()) {
      rc = fail_rpc(client, st);
      continue;
    }
    std::cout << "Deleted: " << image << "\n";
  }
  return rc;
}

int run_events(Client& client, const std::string& pod, const std::string& output) {
  if (!valid_output(output, {"", "json", "yaml"})) return fail("unknown output format \"" + output + "\": use json or yaml");
  grpc::ClientContext ctx;
  v1::ListEventsRequest req;
  req.set_pod(pod);
  v1::JsonDocument reply;
  if (auto st = client.stub().ListEvents(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  if (!output.empty()) return print_document(reply.json(), output);
  json list = json::parse(reply.json(), nullptr, false);
  if (list.is_discarded()) return fail("the agent sent malformed JSON");
  std::cout << events_table(list, now());
  return 0;
}

int run_probes(Client& client, const std::string& pod, const std::string& output) {
  if (!valid_output(output, {"", "json", "yaml"})) return fail("unknown output format \"" + output + "\": use json or yaml");
  grpc::ClientContext ctx;
  v1::ListProbesRequest req;
  req.set_pod(pod);
  v1::JsonDocument reply;
  if (auto st = client.stub().ListProbes(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  if (!output.empty()) return print_document(reply.json(), output);
  json list = json::parse(reply.json(), nullptr, false);
  if (list.is_discarded()) return fail("the agent sent malformed JSON");
  std::cout << probes_table(list, now());
  return 0;
}

int run_services(Client& client, const std::string& output) {
  if (!valid_output(output, {"", "json", "yaml"})) return fail("unknown output format \"" + output + "\": use json or yaml");
  grpc::ClientContext ctx;
  v1::JsonDocument reply;
  if (auto st = client.stub().ListServices(&ctx, v1::ListServicesRequest(), &reply); !st.ok()) {
    return fail_rpc(client, st);
  }
  if (!output.empty()) return print_document(reply.json(), output);
  json list = json::parse(reply.json(), nullptr, false);
  if (list.is_discarded()) return fail("the agent sent malformed JSON");
  std::cout << services_table(list);
  return 0;
}

int run_trace(Client& client, const std::string& target) {
  v1::TraceRequest req;
  // SERVICE[:PORT]; the service part may be namespace/name.
  auto colon = target.rfind(':');
  req.set_service(target.substr(0, colon));
  if (colon != std::string::npos) req.set_port(target.substr(colon + 1));
  grpc::ClientContext ctx;
  v1::TraceResponse reply;
  if (auto st = client.stub().TraceService(&ctx, req, &reply); !st.ok()) return fail_rpc(client, st);
  std::cout << reply.text();
  if (!reply.text().empty() && reply.text().back() != '\n') std::cout << "\n";
  return 0;
}

int run_version(Client& client) {
  std::cout << "Client Version: " << version() << "\n";
  grpc::ClientContext ctx;
  v1::VersionResponse reply;
  if (auto st = client.stub().Version(&ctx, v1::VersionRequest(), &reply); !st.ok()) return fail_rpc(client, st);
  std::cout << "Agent Version: " << reply.version() << "\n"
            << "Node: " << reply.node_name() << "\n"
            << "containerd namespace: " << reply.containerd_namespace() << "\n"
            << "Root dir: " << reply.root_dir() << "\n";
  return 0;
}

}  // namespace nodeagent::ctl
