#!/usr/bin/env bash
# Overload (issue 17): 500 connections against a slow read while a second
# client measures /healthz and /me; recovery after the load; SIGTERM under load.
# Prints the markdown section "## Overload (issue 17)".
#   scripts/bench-overload.sh target/release/govpulse [demo cases]
# The slow read is a real one: a consultation search for a phrase no question
# contains (`LIKE '%…%'` over every consultation in scope, no index can help),
# as a city user, on a demo database of N cases (default 200,000).
# Environment: BENCH_PORT (18091), BENCH_OVERLOAD_SECONDS (20).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$1"
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
CASES="${2:-200000}"
PORT="${BENCH_PORT:-18091}"
SECONDS_OF_LOAD="${BENCH_OVERLOAD_SECONDS:-20}"
URL="http://127.0.0.1:$PORT"
GRACE=10
# shellcheck source=scripts/bench-common.sh
. "$ROOT/scripts/bench-common.sh"
need_wrk
ulimit -n 65536 2>/dev/null || true

TMP="$(mktemp -d)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

"$BIN" demo --database "sqlite://$TMP/overload.db" --cases "$CASES" --seed 1 >/dev/null 2>&1

start_server() {
  GOVPULSE_LOGIN_RATE_PER_MINUTE=100000000 GOVPULSE_SHUTDOWN_GRACE_SECS=$GRACE RUST_LOG=warn \
    "$BIN" serve --database "sqlite://$TMP/overload.db" --bind "127.0.0.1:$PORT" >>"$TMP/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -fs "$URL/readyz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; cat "$TMP/server.log" >&2; exit 1
}

login() {
  curl -fs -D - -o /dev/null -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/auth/login" \
    | sed -n 's/^set-cookie: \(gp_session=[^;]*\).*/\1/Ip' | tr -d '\r'
}

# Counts answers by status (wrk's own summary lumps every non-2xx together).
cat >"$TMP/status.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. "×" .. n) end
  table.sort(parts)
  io.write("STATUSES " .. table.concat(parts, " ") .. "\n")
end
LUA

# wrk_row NAME CONNECTIONS SECONDS URL [COOKIE] → "| name | requests/s | p50 | p99 | max | answers |"
wrk_row() {
  local name="$1" conns="$2" secs="$3" url="$4" cookie="${5:-}" out
  local header=()
  [ -n "$cookie" ] && header=(-H "Cookie: $cookie")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --timeout 60s --latency -s "$TMP/status.lua" "${header[@]}" "$url")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk '/Latency/ && !/Distribution/ {print $4; exit}' <<<"$out")" \
    "$(sed -n 's/^STATUSES //p' <<<"$out")"
}

start_server
CITY=$(login city City@12345)
SLOW="$URL/api/v1/consultations?size=20&q=%E7%A9%BA%E6%97%A0%E6%AD%A4%E8%AF%8D"   # 空无此词
LIST="$URL/api/v1/cases?size=20"
one_slow_ms=$(curl -fs -o /dev/null -w '%{time_total}' -H "Cookie: $CITY" "$SLOW" | awk '{printf "%.0f", $1*1000}')
one_list_ms=$(curl -fs -o /dev/null -w '%{time_total}' -H "Cookie: $CITY" "$LIST" | awk '{printf "%.0f", $1*1000}')

QUIET_HEALTH=$(wrk_row "/healthz, no load" 2 5 "$URL/healthz")
QUIET_ME=$(wrk_row "GET /me, no load" 2 5 "$URL/api/v1/me" "$CITY")
QUIET_LIST=$(wrk_row "GET /cases?size=20, no load" 2 5 "$LIST" "$CITY")

# The load and, started a second later, the probes beside it.
wrk_row "slow search, 500 connections" 500 "$SECONDS_OF_LOAD" "$SLOW" "$CITY" >"$TMP/load.row" &
LOAD=$!
sleep 1
probe_secs=$((SECONDS_OF_LOAD - 3))
wrk_row "/healthz, beside the load" 2 "$probe_secs" "$URL/healthz" >"$TMP/health.row" &
HEALTH=$!
wrk_row "GET /me, beside the load" 2 "$probe_secs" "$URL/api/v1/me" "$CITY" >"$TMP/me.row"
wait "$HEALTH" "$LOAD"

# Recovery: from the end of the load until a case list answers 200 in < 1 s.
t0=$(date +%s%N)
while :; do
  code=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: $CITY" "$LIST")
  [[ "$code" == 200\ 0.* ]] && break
  sleep 0.05
done
recovery_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
AFTER_LIST=$(wrk_row "GET /cases?size=20, right after the load" 2 5 "$LIST" "$CITY")

# SIGTERM five seconds into another load.
wrk -t1 -c500 -d60s --timeout 60s "$SLOW" -H "Cookie: $CITY" >/dev/null 2>&1 &
LOAD=$!
sleep 5
t0=$(date +%s%N)
kill -TERM "$SERVER"
while kill -0 "$SERVER" 2>/dev/null; do sleep 0.05; done
exit_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$SERVER" 2>/dev/null && exit_code=0 || exit_code=$?
SERVER=""
kill "$LOAD" 2>/dev/null || true
wait "$LOAD" 2>/dev/null || true
integrity=$(sqlite3 "$TMP/overload.db" 'PRAGMA integrity_check' 2>/dev/null || echo "sqlite3 not installed")

echo "## Overload (issue 17)"
echo
echo "\`scripts/bench-overload.sh target/release/govpulse $CASES\` on $(date -u +%Y-%m-%d): release build, SQLite, \`govpulse demo --cases $CASES\`,"
echo "default limits (reads 4 in flight, queue 1,024, deadline 30 s, shutdown grace ${GRACE} s). Machine: $(machine); wrk and the"
echo "server share the cores. *Slow read*: \`GET /consultations?size=20&q=空无此词\` as the city user — a search no index serves, one"
echo "request ${one_slow_ms} ms alone (a case list page: ${one_list_ms} ms). The load runs ${SECONDS_OF_LOAD} s at 500 connections; the probes"
echo "(2 connections each, /healthz and \`GET /me\` with a session) run beside it."
echo
echo "| client | requests/s | p50 | p99 | max | answers (status×count) |"
echo "|---|---|---|---|---|---|"
echo "$QUIET_HEALTH"
echo "$QUIET_ME"
echo "$QUIET_LIST"
cat "$TMP/load.row" "$TMP/health.row" "$TMP/me.row"
echo "$AFTER_LIST"
echo
echo "- **Recovery**: ${recovery_ms} ms from the end of the load until a case list answered 200 in under a second."
echo "- **SIGTERM** 5 s into a second 500-connection load of the slow read: the process exited after ${exit_ms} ms (goal: grace"
echo "  ${GRACE} s + 2 s), exit status ${exit_code}; \`PRAGMA integrity_check\` afterwards: ${integrity}."
