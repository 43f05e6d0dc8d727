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
# shellcheck source=../process.sh
source "$here/../process.sh"

healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"UP"'; }

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
  if pid="$(running_pid "$pidfile")" && healthy; then
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
  wait_ready "$pid" "$timeout_s" Zipkin "$logfile" healthy || exit 1
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  log "Zipkin $version started on http://127.0.0.1:$port/zipkin/ (pid $pid) in ${ms} ms; log: $logfile"
}

stop() { stop_pidfile "$pidfile" "$port" Zipkin 20; }

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if pid="$(running_pid "$pidfile")" && healthy; then echo "running pid $pid port $port"; else echo "not running"; exit 1; fi ;;
  logs) echo "$logfile" ;;
  *) echo "usage: $0 {fetch|start|stop|restart|status|logs}" >&2; exit 2 ;;
esac
