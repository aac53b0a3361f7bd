#!/usr/bin/env bash
# Installs the pinned third-party MCP servers the Executus.Mcp tests run against (from npm, into a folder given as $1
# or $EXECUTUS_MCP_SERVERS, default a cache folder), and prints that folder. Idempotent: a folder whose stamp matches
# the pinned versions is reused. Used by .ci/run (before the tests) and by the tests themselves when the folder is missing.
set -euo pipefail

everything_version=2026.8.31
filesystem_version=2026.8.31
inspector_cli_version=1.0.3

dir=${1:-${EXECUTUS_MCP_SERVERS:-${XDG_CACHE_HOME:-$HOME/.cache}/executus-mcp-servers}}
stamp="everything@$everything_version filesystem@$filesystem_version inspector-cli@$inspector_cli_version"
mkdir -p "$dir"
if [ "$(cat "$dir/.stamp" 2>/dev/null || true)" != "$stamp" ]; then
  command -v npm >/dev/null || { echo "mcp-servers: npm is not on PATH (Node.js is needed for the third-party MCP servers)" >&2; exit 1; }
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/server-everything@$everything_version" \
    "@modelcontextprotocol/server-filesystem@$filesystem_version" \
    "@modelcontextprotocol/inspector-cli@$inspector_cli_version" >&2
  for f in server-everything/dist/index.js server-filesystem/dist/index.js inspector-cli/build/cli.js; do
    [ -f "$dir/node_modules/@modelcontextprotocol/$f" ] || { echo "mcp-servers: $f missing after npm install in $dir" >&2; exit 1; }
  done
  echo "$stamp" > "$dir/.stamp"
fi
echo "$dir"
