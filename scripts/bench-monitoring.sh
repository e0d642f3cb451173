#!/usr/bin/env bash
# Monitoring benchmark: `govpulse bench monitoring` on N synthetic open cases per
# backend (fresh database each): catch-up pass, deadline pass, simulation,
# event → warning latency, peak memory. Prints one Markdown table.
#   scripts/bench-monitoring.sh BIN "100000 1000000"
set -euo pipefail
BIN="$1"
SIZES="${2:-100000 1000000}"
PG_BASE="${GOVPULSE_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
export PGOPTIONS="--client-min-messages=warning"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

header=""
row() { # backend url open
  local out
  out=$("$BIN" bench monitoring --database "$2" --open "$3" 2>&1 | grep '^|')
  if [[ -z "$header" ]]; then
    header=1
    head -n 2 <<<"$out" | sed 's/^| open cases/| backend | open cases/; s/^|---/|---|---/'
  fi
  tail -n 1 <<<"$out" | sed "s/^| /| $1 | /"
}

for n in $SIZES; do
  row SQLite "sqlite://$TMP/monitoring-$n.db" "$n"
  if pg_isready -h 127.0.0.1 -q 2>/dev/null; then
    schema="gp_bench_mon_$n"
    psql "$PG_BASE" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
    row PostgreSQL "$PG_BASE?options=-c%20search_path%3D$schema" "$n"
    psql "$PG_BASE" -qc "DROP SCHEMA $schema CASCADE" >/dev/null
  fi
done
