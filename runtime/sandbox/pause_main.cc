// nodeagent-pause: pid 1 of a pod's shared pid namespace (see pid_holder.h).
#include "runtime/sandbox/pid_holder.h"

int main() { return nodeagent::runtime::sandbox::run_pid_namespace_holder(); }
