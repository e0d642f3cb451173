#!/usr/bin/env bash
# Peak memory of the server taking one large NDJSON intake body (issue 11,
# Medium 10): a fresh SQLite demo database, an intake token, one body of
# RECORDS consultations of about 1.3 KB each (50,000 → 64 MiB, the intake
# limit), posted once; prints the server's VmHWM (peak RSS) before and after,
# the answer's counts and the time taken. With SETTLE=N it also prints the
# peak N seconds after the answer: the work a batch sets off once committed
# (dashboard refresh, hot words of the new questions) counts too.
#   [SETTLE=20] scripts/bench-intake-memory.sh path/to/govpulse [records] [port]
set -euo pipefail
BIN="$(realpath "${1:?path to govpulse}")"
RECORDS="${2:-50000}"
PORT="${3:-18095}"
TMP="$(mktemp -d)"
SERVER=""
cleanup() {
  [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
DB="sqlite://$TMP/m.db"
"$BIN" demo --database "$DB" --cases 100 --seed 1 >/dev/null
TOKEN="$("$BIN" token create --database "$DB" --name memory-bench --scope intake | tail -1)"
python3 - "$RECORDS" >"$TMP/body.ndjson" <<'PY'
import json, sys
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
def code(serial):
    # docs/consultation-codes.md: ZX + district + YYMMDD + channel + serial + ISO 7064 MOD 37,36
    body = f"ZX110105261201O{serial:06d}"
    p = 36
    for c in body:
        s = (p + ALPHABET.index(c)) % 36 or 36
        p = (2 * s) % 37
    return body + ALPHABET[(37 - p) % 36]
question = "请问办理营业执照需要哪些材料，线上能否全程网办，" * 16  # 1,152 bytes of UTF-8
for i in range(int(sys.argv[1])):
    print(json.dumps({"code": code(i + 1), "channel": "online", "region_code": "110105",
                      "asked_at": "2026-12-01T09:00:00+08:00", "applicant_type": "person",
                      "question": question, "answer": "可以"}, ensure_ascii=False))
PY
SIZE=$(stat -c %s "$TMP/body.ndjson")
"$BIN" serve --database "$DB" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break
  sleep 0.5
done
hwm() { awk '/VmHWM/ {print $2}' "/proc/$SERVER/status"; }
BEFORE=$(hwm)
START=$(date +%s.%N)
curl -sS -o "$TMP/answer.json" -X POST "http://127.0.0.1:$PORT/api/v1/intake/consultations" \
  -H "authorization: Bearer $TOKEN" -H "content-type: application/x-ndjson" \
  --data-binary @"$TMP/body.ndjson"
ANSWER=$(head -c 300 "$TMP/answer.json")
END=$(date +%s.%N)
AFTER=$(hwm)
echo "body: $SIZE bytes, $RECORDS records"
echo "answer: $ANSWER"
printf 'seconds: %.1f\n' "$(echo "$END - $START" | bc)"
echo "peak RSS (VmHWM) before: $((BEFORE / 1024)) MiB, after: $((AFTER / 1024)) MiB"
sleep "${SETTLE:-0}"
echo "peak RSS (VmHWM) ${SETTLE:-0} s later: $(($(hwm) / 1024)) MiB"
