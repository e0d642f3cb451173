#!/usr/bin/env bash
# Benchmark suite → BENCHMARKS.md.
#   scripts/bench.sh [path/to/release/govpulse]
# HTTP load: wrk (Debian package, installed when missing) on loopback, 500
# concurrent connections. Client and server share the machine's cores, so the
# figures are a floor for the server alone.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$ROOT/target/release/govpulse}"
[[ "$BIN" = /* ]] || BIN="$PWD/$BIN"
cd "$ROOT"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-500}"
PORT="${BENCH_PORT:-18090}"
# Case counts for the intake rows (10,000,000 takes over an hour and ~17 GB per backend).
INTAKE_SIZES="${BENCH_INTAKE_SIZES:-1000000}"
# Open-case counts for the monitoring rows.
MONITORING_SIZES="${BENCH_MONITORING_SIZES:-100000 1000000}"
# Case counts for the dashboard rows (10,000,000 takes ~20 minutes and ~10 GB of
# disk on SQLite; PostgreSQL runs up to BENCH_DASHBOARD_PG_MAX, default 1,000,000),
# and for the section "Lists at 500 connections (issue 10)", measured in the same
# runs (about 12 more minutes per size and backend: 21 wrk rows of 30 s).
DASHBOARD_SIZES="${BENCH_DASHBOARD_SIZES:-1000000}"
# Case counts for the evaluation and quality-run rows (issues 13, 14; PostgreSQL up
# to BENCH_EVALUATION_PG_MAX, default 1,000,000; 10,000,000 needs ~10 GB of disk).
EVALUATION_SIZES="${BENCH_EVALUATION_SIZES:-1000000}"
URL="http://127.0.0.1:$PORT"

# shellcheck source=scripts/bench-common.sh
. "$ROOT/scripts/bench-common.sh"
need_wrk
ulimit -n 65536 2>/dev/null || true

TMP="$(mktemp -d)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

"$BIN" demo --database "sqlite://$TMP/bench.db" --cases 0 >/dev/null
GOVPULSE_LOGIN_RATE_PER_MINUTE=100000000 RUST_LOG=warn \
  "$BIN" serve --database "sqlite://$TMP/bench.db" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$URL/readyz" >/dev/null && break; sleep 0.1; done

COOKIE=$(curl -fs -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"username":"city","password":"City@12345"}' "$URL/api/v1/auth/login" \
  | sed -n 's/^set-cookie: \(gp_session=[^;]*\).*/\1/Ip' | tr -d '\r')

cat >"$TMP/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"city","password":"City@12345"}'
LUA

# run NAME ARGS… → one table row: requests/s, p50, p99, errors
run() {
  local name="$1"; shift
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s --latency "$@")
  local rps p50 p99 non2xx sockerr total
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out"); sockerr=${sockerr:-0}
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$total" "$rps" "$p50" "$p99" "$((non2xx + sockerr))"
}

ROWS=""
ROWS+=$(run "POST /api/v1/auth/login (argon2id verify + session + audit)" -s "$TMP/login.lua" "$URL/api/v1/auth/login")$'\n'
ROWS+=$(run "GET /api/v1/me (session lookup)" -H "Cookie: $COOKIE" "$URL/api/v1/me")$'\n'
ROWS+=$(run "GET /api/v1/departments?size=20 (scoped list + count)" -H "Cookie: $COOKIE" "$URL/api/v1/departments?size=20")$'\n'

{
  echo "# Benchmarks"
  echo
  echo "Measured by \`make bench\` (\`scripts/bench.sh target/release/govpulse\`) on $(date -u +%Y-%m-%d)."
  echo
  echo "- Machine: $(machine)."
  echo "- Server: release build, embedded SQLite (WAL, synchronous=FULL), demo organisation (17 districts, 244 departments, 7 accounts)."
  echo "- Load: wrk, $CONNECTIONS concurrent connections, 2 threads, $DURATION per row, on loopback; wrk and the server share the 2 cores."
  echo "- Figures vary run to run on these shared machines; compare ratios and percentiles, not single timings."
  echo
  echo "## HTTP at $CONNECTIONS concurrent connections"
  echo
  echo "| endpoint | requests | requests/s | p50 | p99 | errors (non-2xx + socket) |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$ROWS"
  echo
  echo "### Reading the figures"
  echo
  echo "- **Login** is bounded by argon2id by design (19 MiB, 2 passes ≈ tens of ms of one core per attempt): with 2 cores the"
  echo "  server completes on the order of 100 logins/s, so 500 simultaneous logins queue and p99 grows linearly with the"
  echo "  number of concurrent attempts (≈ concurrency ÷ throughput). This is the intended cost of a brute-force-resistant hash."
  echo "- **Authenticated GETs** cost a session lookup, a user + roles + permissions read and the query; they do not grow with"
  echo "  the number of sessions (primary-key lookups). The department list is a scoped range query plus a count: it grows with"
  echo "  the number of departments in scope (hundreds), not with data volume."
  echo
  echo "## Intake (AGG-2)"
  echo
  echo "\`scripts/bench-intake.sh target/release/govpulse \"${INTAKE_SIZES}\"\`: the demo generator feeds N cases with their consultations,"
  echo "stage events and evaluations through the intake pipeline (collection rules, validation, GB 11643/32100 checks, HMAC +"
  echo "AES-GCM of identity numbers, idempotency checks, linking, one transaction per batch of 5,000 cases / 10,000 events)"
  echo "into a fresh database; only pipeline time counts. Goal: ≥ 100,000 events/s on SQLite."
  echo
  scripts/bench-intake.sh "$BIN" "$INTAKE_SIZES"
  echo
  echo "### Reading the intake figures"
  echo
  echo "- **Events** are the volume path (≈ 4 per case). SQLite sustains roughly 75,000–100,000 events/s on 2 cores"
  echo "  (the same command measured 101,607 events/s in an earlier run on the same day: these shared machines vary by ±25 %),"
  echo "  about a quarter of what the sqlite3 shell's bare \`.import\` of the same rows achieves — the rest is JSON parsing,"
  echo "  validation, duplicate/conflict checks, out-of-order detection and deriving each touched case's state."
  echo "- **Growth with table size**: compare the first and the last tenth of a load. Events stay flat (keyed by case, the"
  echo "  working set is the current batch's cases). Cases slow as the tables grow (≈ 20,000/s at 100,000 cases, ≈ 11,000/s"
  echo "  at 1,000,000) because each case updates five indexes at random positions and is linked to its applicant's"
  echo "  consultations; both are index lookups, so the cost grows with log(table size) plus page-cache misses."
  echo "- **PostgreSQL** runs at about 0.6× SQLite: every statement is a client–server round trip and batches bind hundreds"
  echo "  of parameters per statement; it plans every execution with its real parameters and is ANALYZEd during bulk loads."
  echo "- **10,000,000 cases** were not run here: one load takes over an hour per backend on 2 cores and ~17 GB of disk."
  echo "  \`BENCH_INTAKE_SIZES=\"1000000 10000000\" make bench\` runs it; from the curve above, events stay near the 1M rate"
  echo "  and cases fall further with log(size) and cache misses."
  echo
  echo "## Monitoring and early warning (MON-5, MON-8)"
  echo
  echo "\`scripts/bench-monitoring.sh target/release/govpulse \"${MONITORING_SIZES}\"\` runs \`govpulse bench monitoring --open N\` on a fresh"
  echo "database per backend: N accepted, unfinished cases of a 10-working-day item, accepted over the last 20 days; the six"
  echo "built-in models. *Catch-up pass*: every open case evaluated once (what a restart or a rule change costs). *Empty pass*:"
  echo "the scheduler's probe when nothing is due. *Next deadline pass*: the pass at the earliest stored threshold instant (a"
  echo "working-day midnight: every case whose warning changes then). *Simulation*: approval_overdue replayed over the same"
  echo "cases (draft and live version). *Event → warning*: a case past its acceptance deadline posted through the intake"
  echo "pipeline while the scheduler runs, until its warning is stored (200 trials)."
  echo
  scripts/bench-monitoring.sh "$BIN" "$MONITORING_SIZES"
  echo
  echo "### Reading the monitoring figures"
  echo
  echo "- **The scheduler never scans**: the empty pass is one index probe and stays under a millisecond from 100,000 to"
  echo "  1,000,000 open cases. A pass costs that probe plus a per-subject cost for the subjects actually due; a subject is due"
  echo "  only at the next instant its warning would change (look-ahead over the rule's thresholds), so the work of a pass is"
  echo "  the number of warnings that change, not the number of open cases."
  echo "- **Per due subject** a pass reads the case, item version and events, judges every rule, and writes the transition"
  echo "  (warning, history, one inbox message per recipient, next due instant) in 500-subject transactions: roughly 200–300 µs"
  echo "  per subject on SQLite, so the goal of < 1 s per pass holds up to ~5,000 changing warnings at one instant. The"
  echo "  synthetic 1,000,000-case load puts 50,000 changes on one midnight (every case shares one 10-day limit and 20 days of"
  echo "  acceptances), which takes ~14 s; real case mixes spread their thresholds over many items and limits."
  echo "- **Catch-up** grows linearly with open cases (flat per-subject cost; per-subject index lookups grow with log N)."
  echo "- **Simulation** replays each case event by event and threshold by threshold in memory after one batched read per"
  echo "  2,000 cases: linear in the cases of the period; 10,000,000 cases would take ≈ 10× the 1,000,000 figure."
  echo "- **Event → warning** is intake commit + wake-up + one evaluation transaction: single-digit milliseconds on SQLite,"
  echo "  tens of milliseconds on PostgreSQL (round trips), independent of table size (keyed lookups)."
  echo
  echo "## Dashboard (DASH-1..5, issue 5) and the case list"
  echo
  echo "\`scripts/bench-dashboard.sh target/release/govpulse \"${DASHBOARD_SIZES}\"\` runs \`govpulse bench dashboard --cases N\` on a fresh"
  echo "database per backend. *Data*: N cases over the 365 days before today in 16 districts (400 items per district across"
  echo "40 departments, popular items skewed; district halls and six streets per district; persons and organisations),"
  echo "≈ 90 % completed, ≈ 8 % overdue; 1.3 consultations per case (70 % about an item, questions from a list of 24);"
  echo "warnings on ≈ 15 % of cases over the five stages; inbox messages as the evaluator addresses them — all by set-based"
  echo "\`INSERT … SELECT\`, then ANALYZE. *Cube build*: the first \`Dashboard::fresh\` (GROUP BY of every table into (district,"
  echo "day) partitions). *Overview in process*: \`Cube::overview\` alone, against the same case figures as five GROUP BY"
  echo "queries on the database and in DuckDB (in memory, on the same rows exported as CSV). *Change → figures*: case events"
  echo "(accepted + completed for 2,500 open cases: 5,000 events) through the intake pipeline, then the refresh the next"
  echo "overview does. *HTTP*: the real router in process on loopback; overview with a random combination of period (7, 30,"
  echo "90, 365 days), region, department, item, stage and applicant type per request (each present half the time), by 1 and"
  echo "by 50 closed-loop clients (each sends its next request when the previous one answered) on a client runtime of their"
  echo "own; hot words over 30 days (the first call segments every question); the case list by wrk at 500 connections (7"
  echo "queries × 5 pages, city and district users, as measured for issue 5; every list is in the next section)."
  echo
  BENCH_LISTS_OUT="$TMP/lists.md" scripts/bench-dashboard.sh "$BIN" "$DASHBOARD_SIZES"
  echo
  echo "### Reading the dashboard figures"
  echo
  echo "- **Closed loop**: each client sends its next request as soon as the previous one answers, so p50 ≈ clients ÷"
  echo "  throughput (50 clients at 245 requests/s ≈ 200 ms): the 50-client rows measure throughput on 2 cores shared with the"
  echo "  clients, the 1-client row is the service time. Users with think time load the server far less than 50 closed loops."
  echo "- **What one overview costs** (parts table): the cube pass, which grows with the cells in the date range (city, 7 d"
  echo "  1 ms / 365 d 22 ms at 1,000,000 cases; 2 / 93 ms at 10,000,000), plus a fixed part of which the caller's"
  echo "  unread-warning count dominates at scale: it joins every unread message of the caller to its warning (and, with"
  echo "  \`applicant_type\`, looks each warning's case up), so it grows with the caller's unread messages, whatever the period"
  echo "  (city user 2,000 → 20,000: 1–8 ms → 50–183 ms on SQLite; up to 74 ms already at 1,000,000 on PostgreSQL). Names of"
  echo "  the top rows and the region list stay under 1 ms. At 10,000,000 cases the city user's request is ≈ 87 ms of CPU"
  echo "  (2 cores ÷ 23 requests/s): the unread count more than the cube."
  echo "- **How the cube grows**: a cell is (district, day, region, department, item, applicant type) with five counters; with"
  echo "  400 items × ~7 regions × 2 applicant types per district-day there are ~33 million possible cells a year, so at these"
  echo "  sizes the cube is nearly as fine as the data (1,000,000 cases → 0.95 million case cells; 10,000,000 → 5.5 million,"
  echo "  starting to saturate). Cells 2.0 → 12.2 million, heap 121 → 516 MB, the 30- and 365-day passes 4.4× slower for 10×"
  echo "  the cases: memory and overview time follow the cells in the date range, not the cases. A region, department or item"
  echo "  filter does not shorten the pass (every partition of the range is visited and each cell tested), so a one-district"
  echo "  overview costs 15–45 % of the city one; skipping partitions of other districts and a monthly level for periods"
  echo "  over 62 days (the trend is monthly there anyway) would shorten the long passes several-fold."
  echo "- **The cube vs the database**: the same case figures as five GROUP BY queries take 0.07–3.8 s on SQLite at 1,000,000"
  echo "  cases (40–230× the cube) and 7–61 s at 10,000,000 (210–2,600×), 0.2–1.7 s on PostgreSQL at 1,000,000. DuckDB in"
  echo "  memory on the same rows with both cores: **cube ÷ DuckDB = 0.02–0.16** (the cube answers 6–40× faster, and counts"
  echo "  consultations and warnings in the same pass)."
  echo "- **Cube build** = GROUP BY of the three tables into partitions: 16 s at 1,000,000 and 172 s at 10,000,000 cases on"
  echo "  SQLite (8 s at 1,000,000 on PostgreSQL), linear in rows. It runs once per process, at the first dashboard request or"
  echo "  the background tick, so after a restart the first overview of a 10,000,000-case installation waits about three"
  echo "  minutes; persisting the cells (or building per partition on demand) would remove that. Anonymous memory peaks"
  echo "  during the build (sort space and SQLite caches: 1.2 GB at 1,000,000, 6.4 GB at 10,000,000); the peak RSS including"
  echo "  the mapped database counts SQLite's memory-mapped file once per connection and overstates real use."
  echo "- **Change → figures** recomputes only the partitions a batch logged (one GROUP BY per district and run of days):"
  echo "  0.1–0.3 s at 1,000,000 and 0.35–0.6 s at 10,000,000 cases for 5,000 events; it grows with the rows of the touched"
  echo "  partitions (cases per district-day), not with the table."
  echo "- **Hot words**: the first 30-day call segments every question of the period (100,000 questions: 0.9 s; 1,030,000:"
  echo "  10.5 s), then word counts per (district, day) are cached; warm at 50 clients p99 114 ms (1,000,000) and 607 ms"
  echo "  (10,000,000) — merging the cached counts grows with the words of the period."
  echo "- **The case list** answers each page with an exact \`COUNT(*)\` of the filter and \`ORDER BY submitted_at DESC\`; without"
  echo "  an index that serves both, each costs the rows matched: at 10,000,000 cases the whole-table count takes 0.5 s, one"
  echo "  district (a region-code range, counted and ordered over its 625,000 rows) 1.4 s, one item (no item index, a full"
  echo "  scan) 2.2 s, and 500 closed-loop connections queue behind the slowest. Directions: totals from the cube"
  echo "  when the filters are cube dimensions (region, department, item, applicant type, dates), bounded counts otherwise;"
  echo "  \`district_code =\` for district scopes and filters (cases_district_time serves order and count); an"
  echo "  (item_code, submitted_at) index; keyset pagination."
  echo
  cat "$TMP/lists.md"
  echo
  BENCH_EVALUATION_OUT=/dev/stdout scripts/bench-evaluation.sh "$BIN" "$EVALUATION_SIZES"
  echo
  scripts/bench-overload.sh "$BIN" "${BENCH_OVERLOAD_CASES:-200000}"
  echo
  scripts/bench-crash.sh "$BIN" "${BENCH_CRASH_ROUNDS:-100}"
} >BENCHMARKS.md
echo "wrote BENCHMARKS.md"; cat BENCHMARKS.md
