#!/usr/bin/env bash
# The main job on local defaults: Kafka (unless KAFKA_BROKERS is set), Postgres, migrations, then the adapter
# (DICOM SCP on DICOM_PORT, default 11112), both consumers, the anchoring process and the auditor console
# (CONSOLE_PORT, default 8480). Ctrl-C stops them all, and the broker if this script started it.
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
mkdir -p -m 0700 .dicomtrail
chmod 700 .dicomtrail
ensure_anchor_key
step "starting adapter, audit-writer, the anchoring process and trace-exporter (Ctrl-C stops all)"
# ensure_kafka exported KAFKA_BROKERS: the adapter publishes every event to dicomtrail.events.v1. No events file
# unless EVENTS_OUT is set (it would hold PHI).
KAFKA_BROKERS="$KAFKA_BROKERS" node services/adapter/dist/src/cli.js adapter & pids+=($!)
node services/audit-writer/dist/src/main.js & pids+=($!)
# Signs every chain head each AUDIT_ANCHOR_INTERVAL_MS into .dicomtrail/anchors (docs/architecture.md, "Anchors").
node services/audit-writer/dist/src/cli.js anchor & pids+=($!)
OTEL_TRACES_EXPORTER="${OTEL_TRACES_EXPORTER:-zipkin}" node services/trace-exporter/dist/src/main.js & pids+=($!)
CONSOLE_DATABASE_URL="${CONSOLE_DATABASE_URL:-$DATABASE_URL}" CONSOLE_TRACE_URL="${CONSOLE_TRACE_URL:-$ZIPKIN_URL/zipkin/traces/{trace_id\}}" \
  node services/console/dist/src/cli.js & pids+=($!)
# The audit interchange runs when a destination is configured (docs/audit-interchange.md).
if [ "${AUDIT_SYSLOG_TRANSPORT:-none}" != none ] || [ -n "${AUDIT_FHIR_URL:-}" ] || [ -n "${AUDIT_FHIR_NDJSON_DIR:-}" ]; then
  step "starting audit-interchange (ATNA syslog / FHIR AuditEvent)"
  node services/audit-interchange/dist/src/cli.js run & pids+=($!)
fi
step "traces: open ${ZIPKIN_URL}/zipkin/ (service dicomtrail)"
step "auditor console: open http://${CONSOLE_HOST:-127.0.0.1}:${CONSOLE_PORT:-8480}/ (first account: printf '%s\\n' 'a-long-password' | npx dicomtrail console add-user NAME --role auditor)"
# Stop everything when any service exits.
wait -n "${pids[@]}" || true
step "a service exited; shutting down the rest"
