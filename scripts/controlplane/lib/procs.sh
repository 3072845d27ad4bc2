# Daemons of the test control plane: started inside its netns, pid recorded, stopped by
# that pid only. Sourced by cluster.sh; expects DIR (state dir) and NS (netns path).
#
# A pid file holds "PID STARTTIME" (field 22 of /proc/PID/stat). A pid is only signalled
# while its start time still matches, so a recycled pid is never killed.

proc_starttime() { # PID -> start time in clock ticks; fails if gone or a zombie
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }           # drop "pid (comm) ", comm may contain spaces
  # shellcheck disable=SC2086
  set -- $stat                 # $1 is the state (field 3), $20 the start time (field 22)
  [[ $1 != Z ]] || return 1
  echo "${20}"
}

# proc_alive NAME: true if the recorded daemon NAME is still the process we started.
proc_alive() {
  local f=$DIR/pids/$1 pid start now
  [[ -f $f ]] || return 1
  read -r pid start < "$f" || return 1
  now=$(proc_starttime "$pid") || return 1
  [[ $now == "$start" ]]
}

proc_pid() { local pid _; read -r pid _ < "$DIR/pids/$1"; echo "$pid"; }

# proc_start NAME ARGS...: runs ARGS in the control-plane netns, logs to logs/NAME.log.
# nsenter without --fork and setsid (the child is no group leader) both exec, so $! is the
# daemon itself; setsid keeps it out of the caller's process group and terminal.
proc_start() {
  local name=$1; shift
  mkdir -p "$DIR/pids" "$DIR/logs"
  printf '%q ' "$@" > "$DIR/logs/$name.cmd"; echo >> "$DIR/logs/$name.cmd"
  setsid nsenter --net="$NS" -- "$@" >> "$DIR/logs/$name.log" 2>&1 < /dev/null &
  local pid=$! start
  start=$(proc_starttime "$pid") || { echo "cluster.sh: $name exited at once, see $DIR/logs/$name.log" >&2; return 1; }
  echo "$pid $start" > "$DIR/pids/$name"
}

# proc_stop NAME [TIMEOUT_S]: SIGTERM, then SIGKILL after the timeout; waits until gone.
proc_stop() {
  local name=$1 timeout=${2:-20} pid i
  [[ -f $DIR/pids/$name ]] || return 0
  if proc_alive "$name"; then
    pid=$(proc_pid "$name")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do proc_alive "$name" || break; sleep 0.1; done
    if proc_alive "$name"; then
      echo "cluster.sh: $name (pid $pid) ignored SIGTERM for ${timeout}s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do proc_alive "$name" || break; sleep 0.1; done
    fi
  fi
  rm -f "$DIR/pids/$name"
}

# wait_until TIMEOUT_S WHAT CMD...: polls CMD every 0.5 s; fails naming WHAT.
wait_until() {
  local timeout=$1 what=$2 deadline; shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "cluster.sh: timed out after ${timeout}s waiting for $what" >&2; return 1; fi
    sleep 0.5
  done
}

# wait_daemon_until NAME TIMEOUT_S WHAT CMD...: like wait_until, but fails at once (with the
# log's tail) if daemon NAME dies meanwhile.
wait_daemon_until() {
  local name=$1 timeout=$2 what=$3 deadline; shift 3
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! proc_alive "$name"; then
      echo "cluster.sh: $name exited while waiting for $what; last lines of $DIR/logs/$name.log:" >&2
      tail -n 25 "$DIR/logs/$name.log" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then echo "cluster.sh: timed out after ${timeout}s waiting for $what (see $DIR/logs/$name.log)" >&2; return 1; fi
    sleep 0.5
  done
}
