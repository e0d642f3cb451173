#!/usr/bin/env bash
# Intake benchmark: the demo generator feeds N cases (with their consultations,
# events and evaluations) through the intake pipeline into a fresh database;
# the pipeline's own time is measured (generation excluded). Prints Markdown.
#   scripts/bench-intake.sh BIN "1000000 10000000"
set -euo pipefail
BIN="$1"
SIZES="${2:-1000000}"
PG_BASE="${GOVPULSE_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

run() { # backend url cases
  local out
  out=$("$BIN" demo --database "$2" --cases "$3" --seed 1 2>&1 | tr '\r' '\n' | grep -E "rates|demo data:")
  local rates events cases first last total
  rates=$(grep rates <<<"$out")
  events=$(sed -n 's/.*events \([0-9]*\),.*/\1/p' <<<"$rates")
  cases=$(sed -n 's/.*cases \([0-9]*\),.*/\1/p' <<<"$rates")
  first=$(sed -n 's/.*first tenth \([0-9]*\),.*/\1/p' <<<"$rates")
  last=$(sed -n 's/.*last tenth \([0-9]*\).*/\1/p' <<<"$rates")
  total=$(sed -n 's/.*demo data: .* \([0-9]*\) events, .* in \([0-9.]*\) s.*/\1 events, \2 s total/p' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$3" "$events" "$cases" "$first" "$last" "$total"
}

echo "| backend | cases | events/s | cases/s | events/s, first tenth | events/s, last tenth | load |"
echo "|---|---|---|---|---|---|---|"
for n in $SIZES; do
  run SQLite "sqlite://$TMP/intake-$n.db" "$n"
  if pg_isready -h 127.0.0.1 -q 2>/dev/null; then
    schema="gp_bench_$n"
    psql "$PG_BASE" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
    run PostgreSQL "$PG_BASE?options=-c%20search_path%3D$schema" "$n"
    psql "$PG_BASE" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
  fi
done

# Reference: the sqlite3 shell's .import of the same event rows into a table with
# the same primary key (no validation, no other work) — the ceiling for SQLite.
n=$(echo "$SIZES" | awk '{print $1}')
db="$TMP/intake-$n.db"
sqlite3 -csv "$db" "SELECT case_code, seq, district_code, kind, at, special_kind, operator, note, out_of_order, source, content_hash, received_at FROM case_events" >"$TMP/events.csv"
rows=$(wc -l <"$TMP/events.csv")
sqlite3 "$TMP/ref.db" "PRAGMA journal_mode=WAL; CREATE TABLE case_events (case_code TEXT NOT NULL, seq BIGINT NOT NULL, district_code TEXT, kind TEXT, at BIGINT, special_kind TEXT, operator TEXT, note TEXT, out_of_order BOOLEAN, source TEXT, content_hash TEXT, received_at BIGINT, PRIMARY KEY (case_code, seq));" >/dev/null
start=$(date +%s.%N)
sqlite3 "$TMP/ref.db" ".import --csv $TMP/events.csv case_events"
end=$(date +%s.%N)
rate=$(awk -v r="$rows" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", r / (e - s) }')
echo
echo "Reference: \`sqlite3 .import\` of the same $rows event rows into a table with the same primary key: **$rate rows/s**."
