# Shared set-up for scripts/start.sh, scripts/test.sh and scripts/bench.sh. Sourced, not run.
# Each step prints what it does on stderr and is a no-op when already done.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Node 24 LTS for every step (infra/node/node.sh: the machine's own when new enough, else the pinned release).
node_bin="$(infra/node/node.sh ensure)"
export PATH="$node_bin:$PATH"
# kafkajs sets timers from a negative duration; Node 24 warns about each one (the timer fires at once either way).
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=TimeoutNegativeWarning"
export TURBO_TELEMETRY_DISABLED=1 KAFKAJS_NO_PARTITIONER_WARNING=1 TCP_NODELAY=1
started_kafka=0
started_zipkin=0

step() { printf '\n[dicomtrail] %s\n' "$*" >&2; }

ensure_node_modules() {
  if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "installing npm dependencies (npm ci)"
    npm ci --no-fund --no-audit >&2
  fi
}

ensure_dcmtk() {
  if ! command -v echoscu >/dev/null; then
    step "dcmtk is missing; installing it with apt"
    if [ "$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dcmtk) >&2
    else echo "dcmtk is required: sudo apt-get install dcmtk" >&2; return 1; fi
  fi
}

# openssl: the anchoring tests' local TSA, and the certificates of the TLS tests (Kafka, Postgres, OTLP links).
ensure_openssl() {
  if ! command -v openssl >/dev/null; then
    step "openssl is missing; installing it with apt"
    if [ "$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl) >&2
    else echo "openssl is required: sudo apt-get install openssl" >&2; return 1; fi
  fi
}

# The anchoring key of `npm start` (AUDIT_ANCHOR_KEY, default .dicomtrail/anchor-key.pem): created once, 0600 in a
# 0700 folder; the anchoring process refuses a key file others can read.
ensure_anchor_key() {
  local key="${AUDIT_ANCHOR_KEY:-.dicomtrail/anchor-key.pem}"
  if [ ! -f "$key" ]; then
    step "creating the anchoring key $key (Ed25519, 0600)"
    node services/audit-writer/dist/src/cli.js anchor-keygen --out "$key" >&2
  fi
}

# Debian's Chromium, driven by playwright-core in the console's browser tests (no browser download).
ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    step "chromium is missing; installing it with apt"
    if [ "$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
    else echo "chromium is required for the console's browser tests: sudo apt-get install chromium" >&2; return 1; fi
  fi
}

# The audit interchange's test peers and validators: rsyslogd with TLS (rsyslog-openssl) as the Audit Record
# Repository, xmllint (libxml2-utils) for the PS3.15 A.5.1 schema, and HAPI FHIR's R4 validator from Maven Central.
ensure_audit_interchange_tools() {
  local missing=()
  command -v rsyslogd >/dev/null || missing+=(rsyslog)
  ls /usr/lib/*/rsyslog/lmnsd_ossl.so >/dev/null 2>&1 || missing+=(rsyslog-openssl)
  command -v xmllint >/dev/null || missing+=(libxml2-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]} with apt (audit interchange tests)"
    if [ "$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
    else echo "required: sudo apt-get install ${missing[*]}" >&2; return 1; fi
  fi
  infra/fhir-validator/fhir-validator.sh fetch
}

ensure_kafka() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then step "using Kafka at $KAFKA_BROKERS"; return 0; fi
  if ! infra/kafka/kafka.sh status >/dev/null 2>&1; then
    step "starting Kafka from infra/kafka"
    infra/kafka/kafka.sh start
    started_kafka=1
  else
    step "Kafka already running on 127.0.0.1:${KAFKA_PORT:-9092}"
  fi
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
}

stop_kafka_if_started() {
  if [ "$started_kafka" = 1 ]; then step "stopping the Kafka broker this script started"; infra/kafka/kafka.sh stop || true; fi
}

ensure_zipkin() {
  if [ -n "${ZIPKIN_URL:-}" ]; then step "using Zipkin at $ZIPKIN_URL"
  else
    if ! infra/trace-backend/zipkin.sh status >/dev/null 2>&1; then
      step "starting Zipkin from infra/trace-backend"
      infra/trace-backend/zipkin.sh start
      started_zipkin=1
    else
      step "Zipkin already running on 127.0.0.1:${ZIPKIN_PORT:-9411}"
    fi
    export ZIPKIN_URL="http://127.0.0.1:${ZIPKIN_PORT:-9411}"
  fi
  export OTEL_EXPORTER_ZIPKIN_ENDPOINT="${OTEL_EXPORTER_ZIPKIN_ENDPOINT:-$ZIPKIN_URL/api/v2/spans}"
}

stop_zipkin_if_started() {
  if [ "$started_zipkin" = 1 ]; then step "stopping the Zipkin this script started"; infra/trace-backend/zipkin.sh stop || true; fi
}

ensure_database() {
  step "preparing Postgres"
  DATABASE_URL="$(node infra/postgres/ensure-database.mjs)"
  export DATABASE_URL
  step "using Postgres database $(node -e 'const u=new URL(process.argv[1]);console.log(u.host+u.pathname)' "$DATABASE_URL")"
}

build_all() {
  step "building (turbo run build)"
  npx turbo run build --output-logs=errors-only >&2
  # npm ci skips the workspaces' bins while dist/ does not exist yet: link them now (npx dicomtrail ...).
  npm rebuild --ignore-scripts >/dev/null 2>&1 || step "npm rebuild (bin links) failed; use npm run dicomtrail -- <command>"
}

run_migrations() {
  step "applying migrations"
  node migrations/dist/src/cli.js
}
