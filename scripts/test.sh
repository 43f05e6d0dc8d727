#!/usr/bin/env bash
# The whole test suite: unit tests (dist/src) and integration tests (dist/test) of every package, against the
# real Kafka (started from infra/kafka unless KAFKA_BROKERS is set, and stopped again if this script started it),
# a real Zipkin (infra/trace-backend unless ZIPKIN_URL is set; likewise stopped),
# the real Postgres (DATABASE_URL, else 127.0.0.1:5432, else embedded) and real dcmtk peers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_kafka_if_started; stop_zipkin_if_started' EXIT
ensure_node_modules
ensure_dcmtk
ensure_openssl
ensure_chromium
ensure_audit_interchange_tools
build_all
ensure_kafka
ensure_zipkin
ensure_database
run_migrations
# Test files only (*.test.js): helpers and capture scripts compiled beside them are not tests.
mapfile -t files < <(find schemas/dist services/*/dist migrations/dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
step "running ${#files[@]} test files"
node --test --test-reporter=spec "${files[@]}"
