#!/usr/bin/env bash
# Runs a command with the project's runtime (Node 24 LTS, infra/node/node.sh) first on PATH:
# `bash scripts/runtime.sh node file.js`, `bash scripts/runtime.sh turbo run build`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PATH="$("$root/infra/node/node.sh" ensure):$PATH"
export PATH
exec "$@"
