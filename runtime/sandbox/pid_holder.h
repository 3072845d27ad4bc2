// The pid-namespace holder: a tiny process that is pid 1 of a pod's shared pid namespace
// (shareProcessNamespace), reaping zombies and sleeping, so that the namespace outlives any one
// container. It is started detached (double fork + setsid) so agent restarts leave it alone.
// The executable is `nodeagent-pause` (runtime/sandbox/pause_main.cc), a thin wrapper around
// run_pid_namespace_holder() that the daemon may also dispatch to as `nodeagent pause`.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::runtime::sandbox {

// The holder's main loop: reaps children, exits 0 on SIGTERM/SIGINT. Returns the exit code.
int run_pid_namespace_holder();

// Starts `holder_argv` (argv[0] an absolute path) as pid 1 of a new pid namespace, detached
// from the caller (it is reparented to init). Returns its pid as seen from the caller.
Result<int> spawn_pid_namespace_holder(const std::vector<std::string>& holder_argv);

// True when `pid` runs (not a zombie) and is in the pid namespace with inode `pidns_inode`,
// which guards against a pid reused after the holder died.
bool holder_is_alive(int pid, unsigned long pidns_inode);

// SIGKILLs the holder (and with it everything in its namespace) if `holder_is_alive`, and
// waits until it is gone or a zombie of its new parent.
Status stop_holder(int pid, unsigned long pidns_inode);

}  // namespace nodeagent::runtime::sandbox
