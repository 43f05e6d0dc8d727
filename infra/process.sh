# Process bookkeeping shared by infra/kafka/kafka.sh and infra/trace-backend/zipkin.sh (sourced, not run):
# a pid file per instance, a bounded wait until the service answers, and a bounded SIGTERM stop.
# The sourcing script defines log() (its own prefix).

# The pid in FILE when that process is alive.
running_pid() {
  local file=$1
  [ -f "$file" ] || return 1
  local pid; pid="$(cat "$file")"
  kill -0 "$pid" 2>/dev/null && echo "$pid" && return 0
  return 1
}

# wait_ready PID TIMEOUT_S WHAT LOGFILE CHECK...: runs CHECK until it succeeds; fails (after showing the log's
# tail) when PID exits first or TIMEOUT_S passes.
wait_ready() {
  local pid=$1 timeout_s=$2 what=$3 logfile=$4
  shift 4
  local deadline=$(($(date +%s) + timeout_s))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$what exited during start-up; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then log "$what did not answer within ${timeout_s}s; log: $logfile"; return 1; fi
    sleep 0.2
  done
}

# stop_pidfile FILE PORT WHAT TIMEOUT_S: SIGTERM, wait up to TIMEOUT_S for the exit, then SIGKILL.
stop_pidfile() {
  local file=$1 port=$2 what=$3 timeout_s=$4 pid
  if ! pid="$(running_pid "$file")"; then log "not running on port $port"; rm -f "$file"; return 0; fi
  kill -TERM "$pid"
  for _ in $(seq 1 $((timeout_s * 5))); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; log "stopped (pid $pid)"; return 0; }
    sleep 0.2
  done
  log "$what did not stop within ${timeout_s}s; killing pid $pid"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}
