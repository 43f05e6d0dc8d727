#!/usr/bin/env bash
# Local Zipkin 3.6.1 (the trace backend a person opens) from Maven Central, bound to 127.0.0.1 only.
# The trace exporter sends spans to its native /api/v2/spans (OTEL_TRACES_EXPORTER=zipkin); the OTLP module is
# not on Maven Central (shared/research/infra.md §0). In-memory storage: spans are gone when it stops.
#
#   infra/trace-backend/zipkin.sh fetch     resolve io.zipkin:zipkin-server:3.6.1:jar:exec into .zipkin/ (cached)
#   infra/trace-backend/zipkin.sh start     fetch, start, wait until /health answers UP
#   infra/trace-backend/zipkin.sh stop      SIGTERM, wait for the exit
#   infra/trace-backend/zipkin.sh status    exit 0 when running
#   infra/trace-backend/zipkin.sh logs      path of the server log
#
# Environment (defaults): ZIPKIN_PORT (9411), ZIPKIN_STATE_DIR (infra/trace-backend/.zipkin), ZIPKIN_HEAP (256m),
# ZIPKIN_START_TIMEOUT (60 seconds). Running start twice is harmless.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=3.6.1
port="${ZIPKIN_PORT:-9411}"
state="${ZIPKIN_STATE_DIR:-$here/.zipkin}"
heap="${ZIPKIN_HEAP:-256m}"
timeout_s="${ZIPKIN_START_TIMEOUT:-60}"
jar="$state/zipkin-server-$version-exec.jar"
inst="$state/server-$port"
pidfile="$inst/zipkin.pid"
logfile="$inst/zipkin.log"

log() { printf '[zipkin.sh] %s\n' "$*" >&2; }

healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"UP"'; }

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid" && return 0
  return 1
}

fetch() {
  if [ -s "$jar" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to resolve the Zipkin jar: apt-get install maven"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required: apt-get install openjdk-17-jre-headless"; exit 1; }
  log "resolving io.zipkin:zipkin-server:$version:jar:exec from Maven Central into $state"
  mkdir -p "$state"
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="io.zipkin:zipkin-server:$version:jar:exec" -DoutputDirectory="$state.tmp"
  mv "$state.tmp/zipkin-server-$version-exec.jar" "$jar"
  rm -rf "$state.tmp"
  log "$(du -h "$jar" | cut -f1) $jar"
}

start() {
  if pid="$(running_pid)" && healthy; then
    log "already running (pid $pid) on http://127.0.0.1:$port/zipkin/; log: $logfile"
    return 0
  fi
  if healthy; then log "a Zipkin already answers on 127.0.0.1:$port; not starting a second one (set ZIPKIN_PORT)"; return 0; fi
  fetch
  mkdir -p "$inst"
  local t0; t0=$(date +%s%N)
  # All three armeria.ports keys are needed, or the port is dropped (infra.md §0).
  nohup java "-Xmx$heap" -XX:+UseSerialGC -Djava.awt.headless=true \
    "-Darmeria.ports[0].ip=127.0.0.1" "-Darmeria.ports[0].port=$port" "-Darmeria.ports[0].protocols[0]=http" \
    -jar "$jar" --logging.level.root=WARN >"$logfile" 2>&1 &
  echo $! > "$pidfile"
  local pid; pid="$(cat "$pidfile")"
  local deadline=$(( $(date +%s) + timeout_s ))
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then log "Zipkin exited during start-up; last lines of $logfile:"; tail -n 30 "$logfile" >&2 || true; exit 1; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then log "Zipkin did not answer within ${timeout_s}s; log: $logfile"; exit 1; fi
    sleep 0.3
  done
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  log "Zipkin $version started on http://127.0.0.1:$port/zipkin/ (pid $pid) in ${ms} ms; log: $logfile"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running on port $port"; rm -f "$pidfile"; return 0; fi
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "stopped (pid $pid)"; return 0; }; sleep 0.2; done
  log "Zipkin did not stop within 20s; killing pid $pid"; kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if pid="$(running_pid)" && healthy; then echo "running pid $pid port $port"; else echo "not running"; exit 1; fi ;;
  logs) echo "$logfile" ;;
  *) echo "usage: $0 {fetch|start|stop|restart|status|logs}" >&2; exit 2 ;;
esac
