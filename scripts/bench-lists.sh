#!/usr/bin/env bash
# The lists of issue 10 alone: scripts/bench-dashboard.sh with BENCH_LISTS_ONLY=1
# (same data and cube; no overview, GROUP BY, hot words or DuckDB) per size and
# backend, then the section "## Lists at 500 connections (issue 10)" of
# BENCHMARKS.md replaced by the new one (appended when missing). The other
# sections are left alone.
#   scripts/bench-lists.sh target/release/govpulse "1000000 10000000"
# Environment: as scripts/bench-dashboard.sh (BENCH_LIST_SECONDS,
# BENCH_DASHBOARD_PG_MAX, BENCH_DASHBOARD_TMP, GOVPULSE_TEST_PG).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$1"
SIZES="${2:-1000000}"
SECTION="$(mktemp)"
trap 'rm -f "$SECTION"' EXIT

BENCH_LISTS_ONLY=1 BENCH_LISTS_OUT="$SECTION" "$ROOT/scripts/bench-dashboard.sh" "$BIN" "$SIZES" >/dev/null
# shellcheck source=scripts/bench-common.sh
. "$ROOT/scripts/bench-common.sh"
replace_section "Lists at 500 connections (issue 10)" "$SECTION"
echo "BENCHMARKS.md: section \"Lists at 500 connections (issue 10)\" written" >&2
