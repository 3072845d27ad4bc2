// Measures the kernel's whole-table replace (IPT_SO_SET_REPLACE) inside this process, by
// interposing setsockopt(2) for libip4tc: the floor of any x_tables update.
#pragma once

namespace proxybench {
// Seconds spent in IPT_SO_SET_REPLACE since the last reset, and how many calls.
double set_replace_seconds();
// The same, as CPU time of the calling thread (the kernel's work; immune to other load).
double set_replace_cpu_seconds();
int set_replace_calls();
void reset_set_replace();
}  // namespace proxybench
