#!/usr/bin/env bash
# Benchmarks (never timed unit tests): printed as tables, figures written to bench-results/*.json.
# Same set-up as the tests: Kafka (started here unless KAFKA_BROKERS is set, stopped after), Postgres
# (DATABASE_URL; benchmarks make their own databases), Zipkin. Every benchmark runs even if one fails; the
# script exits non-zero naming the ones that failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_kafka_if_started; stop_zipkin_if_started' EXIT
ensure_node_modules
ensure_dcmtk
ensure_audit_interchange_tools
build_all
ensure_kafka
ensure_database
run_migrations
ensure_zipkin
ran=0
failed=()
for b in services/*/dist/bench/*.bench.js; do
  [ -f "$b" ] || continue
  step "bench: $b"
  node "$b" || failed+=("$b")
  ran=1
done
[ "$ran" = 1 ] || echo "no benchmarks built yet" >&2
if [ ${#failed[@]} -gt 0 ]; then
  step "benchmarks that failed: ${failed[*]}"
  exit 1
fi
