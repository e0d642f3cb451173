#!/usr/bin/env bash
# Install the pinned npm packages of the web UI and the browser tests when
# missing or out of date (package-lock.json newer than node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is required (Node.js 20+)" >&2; exit 1; }
for dir in web tests/e2e; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "installing npm packages in $dir"
    npm --prefix "$dir" ci --no-audit --no-fund
  fi
done
