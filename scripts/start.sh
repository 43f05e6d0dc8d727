#!/usr/bin/env bash
# The main job on local defaults: Kafka (unless KAFKA_BROKERS is set), Postgres, migrations, then the adapter
# (DICOM SCP on DICOM_PORT, default 11112) and both consumers. Ctrl-C stops them all, and the broker if this
# script started it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    step "stopping services"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  stop_kafka_if_started
  stop_zipkin_if_started
}
trap cleanup INT TERM EXIT
ensure_node_modules
ensure_dcmtk
build_all
ensure_kafka
ensure_zipkin
ensure_database
run_migrations
step "starting adapter, audit-writer and trace-exporter (Ctrl-C stops all)"
mkdir -p .dicomtrail
# ensure_kafka exported KAFKA_BROKERS: the adapter publishes every event to dicomtrail.events.v1 (and, beside it,
# writes the same envelopes to .dicomtrail/events.jsonl).
KAFKA_BROKERS="$KAFKA_BROKERS" EVENTS_OUT="${EVENTS_OUT:-.dicomtrail/events.jsonl}" node services/adapter/dist/src/cli.js adapter & pids+=($!)
node services/audit-writer/dist/src/main.js & pids+=($!)
OTEL_TRACES_EXPORTER="${OTEL_TRACES_EXPORTER:-zipkin}" node services/trace-exporter/dist/src/main.js & pids+=($!)
# The audit interchange runs when a destination is configured (README "Audit interchange").
if [ "${AUDIT_SYSLOG_TRANSPORT:-none}" != none ] || [ -n "${AUDIT_FHIR_URL:-}" ] || [ -n "${AUDIT_FHIR_NDJSON_DIR:-}" ]; then
  step "starting audit-interchange (ATNA syslog / FHIR AuditEvent)"
  node services/audit-interchange/dist/src/cli.js run & pids+=($!)
fi
step "traces: open ${ZIPKIN_URL}/zipkin/ (service dicomtrail; README \"Traces\")"
# Stop everything when any service exits.
wait -n "${pids[@]}" || true
step "a service exited; shutting down the rest"
