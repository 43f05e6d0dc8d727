#!/usr/bin/env bash
# Local Apache Kafka (KRaft, single combined broker+controller on 127.0.0.1) from Maven Central jars.
#
#   infra/kafka/kafka.sh fetch     resolve the broker jars into .kafka/libs (cached; no-op when present)
#   infra/kafka/kafka.sh start     fetch, format storage (once), start, wait until it answers
#   infra/kafka/kafka.sh stop      SIGTERM, wait for a clean exit
#   infra/kafka/kafka.sh status    exit 0 when running
#   infra/kafka/kafka.sh logs      path of the broker log
#
# Environment (defaults): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1),
# KAFKA_STATE_DIR (infra/kafka/.kafka), KAFKA_HEAP (512m), KAFKA_START_TIMEOUT (60 seconds).
# Running start twice is harmless: a broker that already answers on the port is left alone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
state="${KAFKA_STATE_DIR:-$here/.kafka}"
heap="${KAFKA_HEAP:-512m}"
timeout_s="${KAFKA_START_TIMEOUT:-60}"
libs="$state/libs"
inst="$state/broker-$port"
pidfile="$inst/kafka.pid"
logdir="$inst/logs"
cluster_id_file="$inst/cluster.id"

log() { printf '[kafka.sh] %s\n' "$*" >&2; }
# shellcheck source=../process.sh
source "$here/../process.sh"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0 || return 1; }

broker_ready() { port_open "$port" && grep -q 'Kafka Server started' "$logdir/server.log" 2>/dev/null; }

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to resolve the Kafka jars: apt-get install maven"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required: apt-get install openjdk-17-jre-headless"; exit 1; }
  log "resolving Kafka broker jars from Maven Central into $libs"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -B -q -f "$here/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs"
  touch "$libs/.complete"
  log "$(ls "$libs" | grep -c '\.jar$') jars"
}

java_opts() {
  echo "-Xms256m -Xmx$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true -Dlog4j2.configurationFile=$here/log4j2.properties -Dkafka.logs.dir=$logdir"
}

start() {
  if pid="$(running_pid "$pidfile")" && port_open "$port"; then
    log "already running (pid $pid) on 127.0.0.1:$port; log: $logdir/server.log"
    return 0
  fi
  if port_open "$port"; then
    log "something else already answers on 127.0.0.1:$port; not starting a second broker (set KAFKA_PORT)"
    return 0
  fi
  fetch
  mkdir -p "$inst/data" "$logdir"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" -e "s#@DATA_DIR@#$inst/data#g" \
    "$here/server.properties.template" > "$inst/server.properties"
  # A cluster id must not start with '-' (the storage tool would read it as an option; Kafka's own random-uuid avoids it too).
  [ -s "$cluster_id_file" ] || node -e "let id; do id = require('crypto').randomBytes(16).toString('base64url'); while (id.startsWith('-')); process.stdout.write(id)" > "$cluster_id_file"
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2046
  java $(java_opts) -cp "$libs/*" kafka.tools.StorageTool format --ignore-formatted \
    -t "$(cat "$cluster_id_file")" -c "$inst/server.properties" >"$logdir/format.out" 2>&1 \
    || { log "storage format failed:"; cat "$logdir/format.out" >&2; exit 1; }
  # shellcheck disable=SC2046
  nohup java $(java_opts) -cp "$libs/*" kafka.Kafka "$inst/server.properties" >"$logdir/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  local pid; pid="$(cat "$pidfile")"
  wait_ready "$pid" "$timeout_s" broker "$logdir/server.log" broker_ready || {
    tail -n 30 "$logdir/stdout.log" >&2 || true
    exit 1
  }
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  log "Kafka 4.1.1 started on 127.0.0.1:$port (pid $pid) in ${ms} ms; log: $logdir/server.log"
}

stop() { stop_pidfile "$pidfile" "$port" broker 30; }

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if pid="$(running_pid "$pidfile")" && port_open "$port"; then echo "running pid $pid port $port"; else echo "not running"; exit 1; fi ;;
  logs) echo "$logdir/server.log" ;;
  *) echo "usage: $0 {fetch|start|stop|restart|status|logs}" >&2; exit 2 ;;
esac
