// nodectl: the operator's CLI for nodeagent, with crictl's verbs and kubectl's output. It talks
// to the agent's local API on its unix socket (--socket, $NODEAGENT_SOCKET, or the default).
// This file only declares the command line; the verbs are in commands.cc.
#include <cstdlib>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "agent/ctl/commands.h"

namespace ctl = nodeagent::ctl;

int main(int argc, char** argv) {
  CLI::App app{"nodectl: inspect and operate the pods of this node through nodeagent"};
  app.require_subcommand(1);
  std::string socket = "/run/nodeagent/nodeagent.sock";
  app.add_option("--socket", socket, "nodeagent's API socket")->envname("NODEAGENT_SOCKET")->capture_default_str();

  // Each verb sets `run`; main connects once and runs it.
  std::function<int(ctl::Client&)> run;

  ctl::PodsArgs pods;
  auto* c = app.add_subcommand("pods", "List pods (kubectl get pods)");
  c->add_option("-n,--namespace", pods.namespace_name, "Only pods in this namespace");
  c->add_flag("-A,--all-namespaces", pods.all_namespaces, "Pods of every namespace, with a NAMESPACE column");
  c->add_option("-l,--selector", pods.selector, "Label selector (app=web,tier!=db,env in (a,b),!canary)");
  c->add_option("-o,--output", pods.output, "json | yaml | wide");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_pods(cl, pods); }; });

  ctl::PsArgs ps;
  c = app.add_subcommand("ps", "List containers");
  c->add_flag("-a,--all", ps.all, "Include exited containers");
  c->add_option("-p,--pod", ps.pod, "Only containers of this pod");
  c->add_flag("-q,--quiet", ps.quiet, "Only container ids");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_ps(cl, ps); }; });

  std::string ref, output;
  c = app.add_subcommand("inspectp", "Show a pod as v1 JSON");
  c->add_option("POD", ref, "name, namespace/name or UID prefix")->required();
  c->add_option("-o,--output", output, "json | yaml");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_inspectp(cl, ref, output); }; });

  c = app.add_subcommand("inspect", "Show a container");
  c->add_option("CONTAINER", ref, "id or unique id prefix")->required();
  c->add_option("-o,--output", output, "json | yaml");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_inspect(cl, ref, output); }; });

  ctl::LogsArgs logs;
  c = app.add_subcommand("logs", "Print a container's logs");
  c->add_option("POD", logs.pod, "name, namespace/name or UID prefix")->required();
  c->add_option("-c,--container", logs.container, "Container name (needed when the pod has several)");
  c->add_flag("-f,--follow", logs.follow, "Keep printing new lines until the container exits");
  c->add_flag("-p,--previous", logs.previous, "The previous instance of the container");
  c->add_option("--tail", logs.tail, "Only the last N lines (-1: all)");
  c->add_flag("--timestamps", logs.timestamps, "Prefix each line with its RFC 3339 time");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_logs(cl, logs); }; });

  ctl::ExecArgs exec;
  c = app.add_subcommand("exec", "Run a command in a container (non-interactive); exits with its code");
  c->add_option("POD", exec.pod, "name, namespace/name or UID prefix")->required();
  c->add_option("CMD", exec.command, "Command and arguments, after --")->required();
  c->add_option("-c,--container", exec.container, "Container name (needed when the pod has several)");
  c->add_option("--timeout", exec.timeout_seconds, "Seconds before the command is killed (0: none)")
      ->check(CLI::NonNegativeNumber);
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_exec(cl, exec); }; });

  bool quiet = false;
  c = app.add_subcommand("images", "List images");
  c->add_flag("-q,--quiet", quiet, "Only image ids");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_images(cl, quiet); }; });

  std::string creds;
  c = app.add_subcommand("pull", "Pull an image from its registry");
  c->add_option("IMAGE", ref, "Image reference")->required();
  c->add_option("--creds", creds, "USER:PASSWORD for the registry");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_pull(cl, ref, creds); }; });

  std::string name;
  c = app.add_subcommand("import", "Import an OCI image archive (tar) on this node");
  c->add_option("FILE", ref, "OCI archive")->required();
  c->add_option("--name", name, "Image reference to give it");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_import(cl, ref, name); }; });

  std::vector<std::string> images;
  c = app.add_subcommand("rmi", "Remove images");
  c->add_option("IMAGE", images, "Image references or ids")->required();
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_rmi(cl, images); }; });

  c = app.add_subcommand("events", "List events, oldest first");
  c->add_option("POD", ref, "Only events of this pod");
  c->add_option("-o,--output", output, "json | yaml");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_events(cl, ref, output); }; });

  c = app.add_subcommand("probes", "List the liveness, readiness and startup probes and their last results");
  c->add_option("POD", ref, "Only the probes of this pod");
  c->add_option("-o,--output", output, "json | yaml");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_probes(cl, ref, output); }; });

  c = app.add_subcommand("services", "List the services the proxy serves");
  c->add_option("-o,--output", output, "json | yaml");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_services(cl, output); }; });

  c = app.add_subcommand("trace", "Explain the packet path to a service");
  c->add_option("SERVICE", ref, "[namespace/]name[:port]")->required();
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_trace(cl, ref); }; });

  c = app.add_subcommand("version", "Print nodectl's and the agent's versions");
  c->callback([&] { run = [&](ctl::Client& cl) { return ctl::run_version(cl); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage error
  }

  auto client = ctl::Client::connect(socket);
  if (!client.ok()) return ctl::fail(client.error().message);
  return run(*client);
}
