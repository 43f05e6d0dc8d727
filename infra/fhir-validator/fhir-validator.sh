#!/usr/bin/env bash
# HAPI FHIR's instance validator (R4) as a small Java helper for the tests (src/AuditEventValidator.java).
#
#   infra/fhir-validator/fhir-validator.sh fetch   resolve the jars from Maven Central into .fhir-validator/libs and
#                                                  compile the helper into .fhir-validator/classes (no-op when done)
#   infra/fhir-validator/fhir-validator.sh run     fetch, then run it: JSON resources on stdin, one result per line
#   infra/fhir-validator/fhir-validator.sh classpath   the classpath to run it yourself
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="$here/.fhir-validator"
libs="$state/libs"
classes="$state/classes"

log() { printf '[fhir-validator.sh] %s\n' "$*" >&2; }

fetch() {
  if [ -f "$classes/.complete" ] && [ "$classes/.complete" -nt "$here/src/AuditEventValidator.java" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required: apt-get install maven"; exit 1; }
  command -v javac >/dev/null || { log "a JDK 17+ (javac) is required: apt-get install openjdk-17-jdk-headless"; exit 1; }
  if [ ! -f "$libs/.complete" ]; then
    log "resolving HAPI FHIR validator jars from Maven Central into $libs"
    rm -rf "$libs"; mkdir -p "$libs"
    mvn -B -q -f "$here/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$libs"
    touch "$libs/.complete"
  fi
  rm -rf "$classes"; mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$libs/*" "$here/src/AuditEventValidator.java"
  touch "$classes/.complete"
  log "ready ($(ls "$libs" | grep -c '\.jar$') jars)"
}

case "${1:-}" in
  fetch) fetch ;;
  classpath) fetch; echo "$classes:$libs/*" ;;
  run) fetch; exec java -Xmx768m -XX:+UseSerialGC -cp "$classes:$libs/*" AuditEventValidator ;;
  *) echo "usage: $0 fetch|run|classpath" >&2; exit 2 ;;
esac
