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
mkdir -p bench-results
# BENCH_ONLY=name[,name...] runs just those benchmarks (file names without .bench.js).
for b in services/*/dist/bench/*.bench.js; do
  [ -f "$b" ] || continue
  name="$(basename "$(dirname "$(dirname "$(dirname "$b")")")")-$(basename "$b" .bench.js)"
  if [ -n "${BENCH_ONLY:-}" ] && [[ ",$BENCH_ONLY," != *",$(basename "$b" .bench.js),"* ]]; then continue; fi
  step "bench: $b"
  # The tables go to the terminal and to bench-results/<service>-<bench>.md (docs/benchmarks.md is written from it).
  if node "$b" | tee "bench-results/$name.md.partial"; then mv "bench-results/$name.md.partial" "bench-results/$name.md"
  else failed+=("$b"); rm -f "bench-results/$name.md.partial"; fi
  ran=1
done
node -e 'const os=require("os");process.stdout.write(JSON.stringify({finished_at:new Date().toISOString(),node:process.version,cpus:os.cpus().length,note:process.env.BENCH_NOTE}))' > bench-results/run.json
step "tables kept in bench-results/; node scripts/benchmarks-doc.mjs --write puts them in docs/benchmarks.md"
[ "$ran" = 1 ] || echo "no benchmarks built yet" >&2
if [ ${#failed[@]} -gt 0 ]; then
  step "benchmarks that failed: ${failed[*]}"
  exit 1
fi
