#!/usr/bin/env bash
# The whole test suite: unit tests (dist/src) and integration tests (dist/test) of every package, against the
# real Kafka (started from infra/kafka unless KAFKA_BROKERS is set, and stopped again if this script started it),
# the real Postgres (DATABASE_URL, else 127.0.0.1:5432, else embedded) and real dcmtk peers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap stop_kafka_if_started EXIT
ensure_node_modules
ensure_dcmtk
build_all
ensure_kafka
ensure_database
run_migrations
dirs=()
for pkg in schemas services/* migrations; do
  for d in "$pkg/dist/src" "$pkg/dist/test"; do [ -d "$d" ] && dirs+=("$d"); done
done
step "running tests in ${#dirs[@]} folders"
node --test --test-reporter=spec "${dirs[@]}"
