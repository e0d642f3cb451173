#!/usr/bin/env bash
# The outside check of the API contract (issue 18): schemathesis (every check,
# its default; tests/contract/schemathesis.toml says where and why one is off), installed
# from PyPI into a local virtual environment, runs every documented operation
# against a demo server as a city operator, a district operator and an
# administrator, with a fixed seed and bounded examples; any failure fails.
# Before it, the integration guide's examples run against the same server:
# docs/examples/intake.py and docs/examples/client_example.py with the Python
# client generated from the committed document (openapi-python-client).
#   scripts/api-contract.sh [path/to/govpulse] [GET|ALL]
# Env: PORT (default 18180); GENERATE_ONLY=1 only generates the Python client
# into target/python-client (make python-client).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/target/debug/govpulse}"
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
METHODS="${2:-GET}"
PORT="${PORT:-18180}"
URL="http://127.0.0.1:${PORT}"
VENV="$ROOT/target/contract-venv"
SCHEMATHESIS_VERSION="4.32.5"
CLIENT_GENERATOR_VERSION="0.29.1"

if [[ ! -x "$VENV/bin/schemathesis" ]] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION" ||
  ! "$VENV/bin/pip" show openapi-python-client 2>/dev/null | grep -q "^Version: $CLIENT_GENERATOR_VERSION$"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION" "openapi-python-client==$CLIENT_GENERATOR_VERSION"
fi

# The generated Python client (make python-client): from the committed
# document, which the openapi_document test keeps equal to the server's. The
# generator leaves out what it cannot express (the recursive condition tree of
# warning rules) and says so.
CLIENT_DIR="$ROOT/target/python-client"
rm -rf "$CLIENT_DIR"
"$VENV/bin/openapi-python-client" generate --path "$ROOT/web/src/api/openapi.json" \
  --config "$ROOT/tests/contract/python-client.yaml" --output-path "$CLIENT_DIR/govpulse_client" \
  --overwrite --meta none >"$ROOT/target/python-client.log" 2>&1 ||
  { cat "$ROOT/target/python-client.log" >&2; exit 1; }
[[ -n "${GENERATE_ONLY:-}" ]] && { echo "Python client in $CLIENT_DIR/govpulse_client"; exit 0; }

TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  local rc=$?
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [[ $rc -ne 0 && -f "$TMP/server.log" ]]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 30 "$TMP/server.log" >&2 || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT

"$BIN" demo --database "sqlite://$TMP/contract.db" --cases 2000 --seed 1 >"$TMP/demo.log" 2>&1
GOVPULSE_LOGIN_RATE_PER_MINUTE=1000 \
  "$BIN" serve --database "sqlite://$TMP/contract.db" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$URL/readyz" 2>/dev/null && break
  sleep 0.5
done

# login USER PASSWORD → "cookie-value csrf-token"
login() {
  local body
  body="$(curl -fsS -c "$TMP/cookies" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/auth/login")"
  local csrf
  csrf="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])' <<<"$body")"
  echo "$(awk '$6 == "gp_session" {print $7}' "$TMP/cookies") $csrf"
}

# The integration guide's example (docs/integration.md) against the same server,
# with an intake token the administrator issues.
read -r session csrf <<<"$(login admin Admin@12345)"
token="$(curl -fsS -H "Cookie: gp_session=$session" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"integration example","scope":"intake"}' "$URL/api/v1/tokens" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
echo "==> docs/examples/intake.py"
GOVPULSE_URL="$URL" GOVPULSE_TOKEN="$token" python3 "$ROOT/docs/examples/intake.py" || exit 1
echo "==> docs/examples/client_example.py (generated client)"
PYTHONPATH="$CLIENT_DIR" GOVPULSE_URL="$URL" GOVPULSE_USER=city GOVPULSE_PASSWORD='City@12345' \
  "$VENV/bin/python" "$ROOT/docs/examples/client_example.py" || exit 1

method_filter=(--include-method GET)
[[ "$METHODS" == "ALL" ]] && method_filter=()

status=0
for account in "city City@12345" "chaoyang Chaoyang@123" "admin Admin@12345"; do
  # shellcheck disable=SC2086
  read -r session csrf <<<"$(login $account)"
  echo "==> schemathesis as ${account%% *} ($METHODS operations)"
  # Logging out or changing the password would end the session under test.
  # Run from the venv so that schemathesis keeps its cache there, not in the clone.
  (cd "$VENV" && "$VENV/bin/schemathesis" --config-file "$ROOT/tests/contract/schemathesis.toml" run "$URL/api/openapi.json" \
    -H "Cookie: gp_session=$session" -H "X-CSRF-Token: $csrf" \
    "${method_filter[@]}" --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/password \
    --seed 1 --max-examples 10 --phases examples,coverage,fuzzing --workers 1 \
    --no-color) || status=1
done

exit $status
