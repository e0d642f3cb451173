#!/usr/bin/env bash
# Dashboard benchmark: `govpulse bench dashboard --cases N` per size on a fresh
# SQLite database, and on a fresh PostgreSQL schema for sizes up to
# BENCH_DASHBOARD_PG_MAX (default 1,000,000) when PostgreSQL is reachable; then
# the DuckDB reference (scripts/duckdb-reference.py) on the same case rows,
# exported from SQLite with the sqlite3 shell. Prints the merged Markdown tables,
# then the section "## Lists at 500 connections (issue 10)" (its tables and how
# each figure grows from the smallest to the largest size).
#   scripts/bench-dashboard.sh BIN "1000000 10000000"
# Environment: BENCH_DASHBOARD_SECONDS (per HTTP load phase, default 20),
# BENCH_DASHBOARD_PG_MAX, BENCH_DASHBOARD_TMP (where databases go, default /tmp;
# 10,000,000 cases need ~10 GB), DUCKDB_PYTHON (a python with duckdb; otherwise
# one is made in /tmp/govpulse-duckdb-venv with pip), BENCH_LIST_SECONDS (per
# list row, default 30), BENCH_LISTS (comma-separated words: only the lists whose path holds one, e.g. work-orders), BENCH_LISTS_SLOWEST=N (print each row's N slowest URLs, timed alone), BENCH_LISTS_ONLY=1 (the lists alone: data and cube are
# built, no overview, GROUP BY, hot words or DuckDB), BENCH_DASHBOARD_ONLY=1 (the converse: no list rows and
# no lists section), BENCH_LISTS_OUT (write the lists section to this file
# instead of stdout; scripts/bench.sh and scripts/bench-lists.sh use it).
set -euo pipefail
BIN="$1"
SIZES="${2:-1000000}"
LISTS_ONLY="${BENCH_LISTS_ONLY:-0}"
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
# shellcheck source=scripts/bench-common.sh
. "$ROOT/scripts/bench-common.sh"
need_wrk

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
  if [ "$LISTS_ONLY" != 1 ] && [ -n "$PY" ] && command -v sqlite3 >/dev/null; then
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

# One table per title, rows of every run under one header; the lists' tables
# (titles "Lists …") go to $TMP/lists.md.
merge_tables "$OUT" "Lists" "$TMP/lists.md"

# How each list figure grows from the smallest to the largest size measured.
growth() {
  awk '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function num(s) { s = trim(s); sub(/ .*/, "", s); return s + 0 }
    function fmt(x) { return x < 10 ? sprintf("%.1f", x) : sprintf("%.0f", x) }
    /^#### / { title = $0; next }
    /^\|/ {
      split($0, f, "|"); b = trim(f[2]); c = trim(f[3])
      if (b == "backend" || b ~ /^-+$/) next
      key = b SUBSEP trim(f[4]) SUBSEP trim(f[5])
      if (title ~ /^#### Lists \(issue 10\): [0-9]+ connections/) {
        if (!(key in seen)) { seen[key] = 1; order[++k] = key }
        if (!(key in lo) || c + 0 < lo[key] + 0) lo[key] = c
        if (!(key in hi) || c + 0 > hi[key] + 0) hi[key] = c
        rps[key, c] = num(f[9]); me[key, c] = num(f[10]); p99[key, c] = num(f[13])
        err[key, c] = f[15] + f[16] + f[17]
      } else if (title ~ /^#### Lists \(issue 10\): single requests/) {
        warm[key, c] = num(f[8])
        if (f[9] !~ /one page/) cursor[key, c] = num(f[9])
      }
    }
    END {
      for (i = 1; i <= k; i++) {
        key = order[i]; a = lo[key]; z = hi[key]
        if (a == z) continue
        split(key, p, SUBSEP)
        group = p[1] ", " a " → " z " cases"
        if (group != last) { printf "\n%s:\n\n", group; last = group }
        line = sprintf("- `%s`, %s: %s → %s requests/s (%.2f×", p[2], p[3], fmt(rps[key, a]), fmt(rps[key, z]),
          rps[key, z] / (rps[key, a] > 0 ? rps[key, a] : 1))
        if (p[2] !~ /^GET \/api\/v1\/me/) line = line sprintf("; %s → %s %% of GET /me", me[key, a], me[key, z])
        line = line sprintf("), p99 %s → %s ms, non-2xx + socket errors + timeouts %d → %d", fmt(p99[key, a]),
          fmt(p99[key, z]), err[key, a], err[key, z])
        if ((key, a) in warm && (key, z) in warm)
          line = line sprintf("; one client: first page %s → %s ms", fmt(warm[key, a]), fmt(warm[key, z]))
        if ((key, a) in cursor && (key, z) in cursor)
          line = line sprintf(", after= pages %s → %s ms", fmt(cursor[key, a]), fmt(cursor[key, z]))
        print line "."
        any = 1
      }
      if (!any) print "\nOnly one size was measured per backend: run two (e.g. \"1000000 10000000\") to fill this in."
    }
  ' "$OUT"
}

[ "${BENCH_DASHBOARD_ONLY:-0}" = 1 ] && exit 0
command="scripts/bench-dashboard.sh ${BIN#"$ROOT"/} \"$SIZES\""
[ "$LISTS_ONLY" = 1 ] && command="BENCH_LISTS_ONLY=1 $command"
[ -n "${BENCH_LIST_SECONDS:-}" ] && command="BENCH_LIST_SECONDS=$BENCH_LIST_SECONDS $command"
[ -n "${BENCH_LISTS:-}" ] && command="BENCH_LISTS=$BENCH_LISTS $command"
{
  echo "## Lists at 500 connections (issue 10)"
  echo
  echo "Measured on $(date -u +%Y-%m-%d) with \`$command\`."
  echo "Machine: $(machine); wrk and the server share the cores, so every figure is a floor for the server alone."
  echo
  echo "Every list endpoint on the dashboard benchmark's data (N cases over 365 days in 16 districts, ≈ 1.3 consultations"
  echo "per case, warnings on ≈ 15 % of cases, the operators' inbox messages) plus rows for the lists that data leaves"
  echo "empty: evaluations of half the completed cases, N/4 audit entries over the year, 8 users per department, 1,200"
  echo "export jobs for each of \`city\` and \`chaoyang\` (the last 6 days), a year of reconciliation counts (4 sources × 5"
  echo "kinds); then \`PRAGMA optimize\` / \`ANALYZE\` as after an import. The dashboard cube is built first, as the server's"
  echo "background tick does: the case and consultation lists take exact totals from it when every filter is a cube"
  echo "dimension, the others count up to 10,000 rows. *Load*: the real router in process on loopback, wrk with 2 threads"
  echo "and 500 connections, one row per list and reader, \`--timeout 2s\` (a slower answer counts as a timeout and is left"
  echo "out of the latencies), and \`GET /api/v1/me\` in the same run as the ceiling. Each list is read as \`city\` and as the"
  echo "district user \`chaoyang\`; \`/audit\` as \`auditor\` and \`/users\` as \`admin\`, the only demo accounts allowed to read"
  echo "them. A row's requests: half are first pages of 64 random queries (the list's own filters, each present with"
  echo "probability 0.2–0.5; a random sortable field and direction, or the default; size 20, 50 or 100), a fifth"
  echo "\`page=2..10\` of 32 more, three tenths \`after=\` pages 2–50 of 8 queries (4 of them unfiltered) whose \`next\` a plain"
  echo "client followed before the load. The URLs column counts each group (and the deepest page the cursors reached)."
  echo "*Single requests*: one client, each list's first page (20 rows, default sort, no filter): the first request (its"
  echo "total counted, or read from the cube), the median of 5 more (the total remembered), the \`after=\` pages to page 50,"
  echo "and \`page=10\`. Target: under 100 ms a request on the \`make run\` demo database (20,000 cases)."
  echo
  cat "$TMP/lists.md"
  echo "### How each figure grows with the data"
  growth
  echo
  echo "_What grows and why (to be written from the figures above after the 1,000,000 and 10,000,000 runs)._"
} >"${BENCH_LISTS_OUT:-/dev/stdout}"
