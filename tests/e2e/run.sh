#!/usr/bin/env bash
# Run the browser tests against a fresh demo database.
#   tests/e2e/run.sh [path/to/govpulse]      (default target/debug/govpulse)
# Env: PORT (default 18080), CHROMIUM_PATH (default /usr/bin/chromium).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${1:-$ROOT/target/debug/govpulse}"
# a relative path given by the caller is relative to the caller's directory
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
cd "$ROOT"
PORT="${PORT:-18080}"
URL="http://127.0.0.1:${PORT}"

if [[ ! -x "$BIN" ]]; then
  echo "govpulse binary not found or not executable: $BIN" >&2
  exit 2
fi

rm -rf tests/e2e/test-results
TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$TMP/server.log" ]]; then
    mkdir -p tests/e2e/test-results
    cp "$TMP/server.log" tests/e2e/test-results/server.log || true
    echo "--- last lines of the server log (full copy in tests/e2e/test-results/server.log) ---" >&2
    tail -n 40 "$TMP/server.log" >&2 || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT

echo "==> demo database in $TMP"
"$BIN" demo --database "sqlite://$TMP/e2e.db" --cases 2000 --seed 1

echo "==> starting govpulse on $URL"
GOVPULSE_LOGIN_RATE_PER_MINUTE=1000 \
  "$BIN" serve --database "sqlite://$TMP/e2e.db" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

probe() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null "$URL/readyz" 2>/dev/null
  else
    node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/readyz"
  fi
}

ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "govpulse exited before it was ready" >&2
    exit 1
  fi
  if probe; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  echo "govpulse not ready after 60 s" >&2
  exit 1
fi

if [[ ! -d tests/e2e/node_modules ]]; then
  npm --prefix tests/e2e ci --no-audit --no-fund
fi

echo "==> browser tests"
GOVPULSE_URL="$URL" node --test tests/e2e/
