#!/usr/bin/env bash
# Benchmarks (never timed unit tests): printed as tables, figures written to bench-results/*.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_kafka_if_started; stop_zipkin_if_started' EXIT
ensure_node_modules
ensure_dcmtk
build_all
ensure_zipkin
ran=0
for b in services/*/dist/bench/*.bench.js; do
  [ -f "$b" ] || continue
  step "bench: $b"
  node "$b"
  ran=1
done
[ "$ran" = 1 ] || echo "no benchmarks built yet" >&2
