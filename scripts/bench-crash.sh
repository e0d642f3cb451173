#!/usr/bin/env bash
# Crash harness (issue 11, item 12): `govpulse bench crash` kills a serving
# govpulse with SIGKILL at random moments (100–1,500 ms into each round) while
# it takes intake batches (200 cases each), rule saves and export requests and
# evaluates the new cases, then checks that nothing acknowledged was lost,
# no batch is half there and the audit chain is intact. One row per backend.
# Prints the markdown section "## Crash harness (issue 11)".
#   scripts/bench-crash.sh target/release/govpulse [rounds per backend]
# Environment: GOVPULSE_TEST_PG (default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$1"
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
ROUNDS="${2:-100}"
PG_BASE="${GOVPULSE_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
# shellcheck source=scripts/bench-common.sh
. "$ROOT/scripts/bench-common.sh"

TMP="$(mktemp -d)"
PG_DB="gp_crash_$$"
cleanup() {
  psql "$PG_BASE" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# Run in $TMP: the key file of a PostgreSQL database goes to ./data/ there.
run() {
  local url="$1"
  (cd "$TMP" && "$BIN" demo --database "$url" --cases 0 >/dev/null 2>&1 \
    && "$BIN" bench crash --database "$url" --rounds "$ROUNDS" 2>/dev/null)
}

SQLITE=$(run "sqlite://$TMP/crash.db")
ROWS=$(sed -n '3p' <<<"$SQLITE")$'\n'
if psql "$PG_BASE" -qc "CREATE DATABASE $PG_DB" >/dev/null 2>&1; then
  PG=$(run "${PG_BASE%/*}/$PG_DB")
  ROWS+=$(sed -n '3p' <<<"$PG")$'\n'
fi

echo "## Crash harness (issue 11)"
echo
echo "Measured on $(date -u +%Y-%m-%d) with \`scripts/bench-crash.sh target/release/govpulse $ROUNDS\` ($(machine))."
echo "Each round: intake batches of 200 cases (one after another, each acknowledged by its 200 answer), saves of one"
echo "warning rule and an export request run against a real \`govpulse serve\` while the evaluator works through the new"
echo "cases; the process is killed with SIGKILL 100–1,500 ms in; then every batch sent is counted (all or nothing, and"
echo "all when acknowledged), the rule's version must be at least the last acknowledged, every acknowledged export job"
echo "must exist, the audit chain is re-hashed, and the server is started again (time to \`/readyz\`)."
echo
sed -n '1,2p' <<<"$SQLITE"
printf '%s' "$ROWS"
echo
echo "Every *lost*, *half* and *audit broken* must be 0: a write is acknowledged only after its transaction committed"
echo "(SQLite \`synchronous=FULL\` in WAL mode, PostgreSQL's commit), a batch is one transaction, and the"
echo "audit row of a rule save or an export request is appended in its own transaction (an intake batch's audit row still"
echo "follows its commit: issue 11, Medium 9). Restart time grows with the WAL left to replay (SQLite) and the"
echo "start-up work (migrations check, calendar, rule compilation), not with the data."
