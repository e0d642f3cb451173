#!/usr/bin/env bash
# Evaluation and quality-run benchmark (issues 13, 14): `govpulse bench
# evaluation --cases N` per size on a fresh SQLite database, and on a fresh
# PostgreSQL schema for sizes up to BENCH_EVALUATION_PG_MAX (default 1,000,000)
# when PostgreSQL is reachable; then the section "## Evaluation and quality
# runs at scale (issues 13, 14)" with the merged tables replaces (or is appended
# to) that section of BENCHMARKS.md — or goes to BENCH_EVALUATION_OUT instead
# (scripts/bench.sh uses /dev/stdout).
#   scripts/bench-evaluation.sh BIN "1000000 10000000"
# Environment: BENCH_EVALUATION_PG_MAX, BENCH_EVALUATION_TMP (where databases go,
# default /tmp; 10,000,000 cases need ~10 GB), GOVPULSE_TEST_PG.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$1"
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
SIZES="${2:-1000000}"
PG_MAX="${BENCH_EVALUATION_PG_MAX:-1000000}"
PG_BASE="${GOVPULSE_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
export PGOPTIONS="--client-min-messages=warning"
TMP="$(mktemp -d "${BENCH_EVALUATION_TMP:-/tmp}/govpulse-evaluation.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
OUT="$TMP/out.md"
: >"$OUT"
# shellcheck source=scripts/bench-common.sh
. "$ROOT/scripts/bench-common.sh"

bench() { # url cases → tables appended to $OUT
  if ! "$BIN" bench evaluation --database "$1" --cases "$2" >>"$OUT" 2>"$TMP/progress.log"; then
    cat "$TMP/progress.log" >&2
    exit 1
  fi
}

for n in $SIZES; do
  db="$TMP/evaluation-$n.db"
  echo "bench evaluation: SQLite, $n cases" >&2
  bench "sqlite://$db" "$n"
  rm -f "$db" "$db-wal" "$db-shm"
  if [ "$n" -le "$PG_MAX" ] && pg_isready -h 127.0.0.1 -q 2>/dev/null; then
    echo "bench evaluation: PostgreSQL, $n cases" >&2
    schema="gp_bench_eval_$n"
    psql "$PG_BASE" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
    bench "$PG_BASE?options=-c%20search_path%3D$schema" "$n"
    psql "$PG_BASE" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
  fi
done


SECTION="$TMP/section.md"
{
  echo "## Evaluation and quality runs at scale (issues 13, 14)"
  echo
  echo "Measured on $(date -u +%Y-%m-%d) with \`scripts/bench-evaluation.sh ${BIN#"$ROOT"/} \"$SIZES\"\`"
  echo "(\`govpulse bench evaluation --cases N\` per size on a fresh database). Machine: $(machine)."
  echo
  echo "*Data*: the dashboard benchmark's generator (N cases over the 365 days before today in 16 districts, 400 items per"
  echo "district across 40 departments; warnings on ≈ 15 %), plus evaluations of half the completed cases, an \`accepted\` and"
  echo "a \`completed\` stage event per case, a version 2 (promised limit − 2 days, in force from mid-year) of one item in"
  echo "fifty whose cases stay pinned to version 1, and one case in 1,000 each with a placeholder applicant name, a handling"
  echo "mode outside the code list, an acceptance before submission, a completion before acceptance, no acceptance event."
  echo "*Indicator values*: per unit level, the facts pass (\`Store::unit_facts\`: one GROUP BY each over the period's cases,"
  echo "warnings and evaluations — what \`GET /indicators/{code}/values\` computes per request and an evaluation run once),"
  echo "then every built-in level-3 indicator measured for every unit. *Scoring*: the standard scheme (\`district_standard\`)"
  echo "over those values for every unit of the level (\`scoring::score\`, the scheme's items at each level), and its test"
  echo "run as \`POST /evaluation/runs\` \`mode=test\` executes it (facts + scoring + storing the run). *Quality run*: one run"
  echo "over the year, city-wide, as \`POST /quality/runs\` starts it (\`quality::run_now\`: keyset pages of 1,000 cases,"
  echo "their events and item versions, the check library, each page's failures in one transaction). The server's"
  echo "functions are called in process (no HTTP); peak RSS is the process's VmHWM, reset before each phase."
  echo
  merge_tables "$OUT"
} >"$SECTION"

if [ -n "${BENCH_EVALUATION_OUT:-}" ]; then
  cat "$SECTION" >"$BENCH_EVALUATION_OUT"
else
  replace_section "Evaluation and quality runs at scale (issues 13, 14)" "$SECTION"
  echo "BENCHMARKS.md: section \"Evaluation and quality runs at scale (issues 13, 14)\" written" >&2
fi
