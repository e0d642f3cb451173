#!/usr/bin/env bash
# Dashboard benchmark: `govpulse bench dashboard --cases N` per size on a fresh
# SQLite database, and on a fresh PostgreSQL schema for sizes up to
# BENCH_DASHBOARD_PG_MAX (default 1,000,000) when PostgreSQL is reachable; then
# the DuckDB reference (scripts/duckdb-reference.py) on the same case rows,
# exported from SQLite with the sqlite3 shell. Prints the merged Markdown tables.
#   scripts/bench-dashboard.sh BIN "1000000 10000000"
# Environment: BENCH_DASHBOARD_SECONDS (per HTTP load phase, default 20),
# BENCH_DASHBOARD_PG_MAX, BENCH_DASHBOARD_TMP (where databases go, default /tmp;
# 10,000,000 cases need ~10 GB), DUCKDB_PYTHON (a python with duckdb; otherwise
# one is made in /tmp/govpulse-duckdb-venv with pip).
set -euo pipefail
BIN="$1"
SIZES="${2:-1000000}"
PHASE_SECONDS="${BENCH_DASHBOARD_SECONDS:-20}"
PG_MAX="${BENCH_DASHBOARD_PG_MAX:-1000000}"
PG_BASE="${GOVPULSE_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export PGOPTIONS="--client-min-messages=warning"
TMP="$(mktemp -d "${BENCH_DASHBOARD_TMP:-/tmp}/govpulse-dashboard.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
OUT="$TMP/out.md"
: >"$OUT"
ulimit -n 65536 2>/dev/null || true

# A python that can import duckdb (PyPI), or none: the reference is then skipped.
PY=""
for candidate in "${DUCKDB_PYTHON:-}" python3 /tmp/govpulse-duckdb-venv/bin/python; do
  if [ -n "$candidate" ] && "$candidate" -c 'import duckdb' 2>/dev/null; then PY="$candidate"; break; fi
done
if [ -z "$PY" ] && python3 -m venv /tmp/govpulse-duckdb-venv >/dev/null 2>&1 &&
  /tmp/govpulse-duckdb-venv/bin/pip install -q duckdb >/dev/null 2>&1; then
  PY=/tmp/govpulse-duckdb-venv/bin/python
fi

bench() { # url cases → tables appended to $OUT, this run's output in $TMP/last.md
  if ! "$BIN" bench dashboard --database "$1" --cases "$2" --seconds "$PHASE_SECONDS" \
    >"$TMP/last.md" 2>"$TMP/progress.log"; then
    cat "$TMP/progress.log" >&2
    exit 1
  fi
  cat "$TMP/last.md" >>"$OUT"
}

for n in $SIZES; do
  db="$TMP/dashboard-$n.db"
  bench "sqlite://$db" "$n"
  if [ -n "$PY" ] && command -v sqlite3 >/dev/null; then
    sqlite3 -csv -header "$db" "SELECT district_code, region_code, department_code, item_code, applicant_type,
        (submitted_at + 28800000) / 86400000 AS day, status, CASE WHEN overdue THEN 1 ELSE 0 END AS overdue,
        CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END AS accepted FROM cases" >"$TMP/cases.csv"
    cube_ms=$(sed -n 's/^cube-overview-ms: //p' "$TMP/last.md")
    "$PY" "$ROOT/scripts/duckdb-reference.py" "$TMP/cases.csv" --govpulse-ms "$cube_ms" >>"$OUT"
    rm -f "$TMP/cases.csv"
  fi
  rm -f "$db" "$db-wal" "$db-shm"
  if [ "$n" -le "$PG_MAX" ] && pg_isready -h 127.0.0.1 -q 2>/dev/null; then
    schema="gp_bench_dash_$n"
    psql "$PG_BASE" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
    bench "$PG_BASE?options=-c%20search_path%3D$schema" "$n"
    psql "$PG_BASE" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
  fi
done

# One table per title, rows of every run under one header.
awk '
  /^#### / { title = $0; if (!(title in seen)) { seen[title] = 1; order[++n] = title }; state = 1; next }
  /^\|/ {
    if (state == 1) { header[title] = $0; state = 2; next }
    if (state == 2) { rule[title] = $0; state = 3; next }
    rows[title] = rows[title] $0 "\n"; next
  }
  /^$/ { if (state == 3) state = 0 }
  END {
    for (i = 1; i <= n; i++) {
      t = order[i]; sub(/^#### /, "", t)
      printf "**%s**\n\n%s\n%s\n%s\n", t, header[order[i]], rule[order[i]], rows[order[i]]
    }
  }
' "$OUT"
