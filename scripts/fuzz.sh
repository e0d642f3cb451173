#!/usr/bin/env bash
# Fuzz every parser of outside input (issue 11, item 13) with cargo-fuzz
# (libFuzzer + AddressSanitizer on the nightly toolchain, installed from the
# package registry when missing). Each target runs SECONDS (default 60) from the
# seed corpus in fuzz/corpus/<target> (read-only; new inputs go to a temporary
# directory); a crash stops the script and leaves the input in
# fuzz/artifacts/<target>/. Prints one Markdown row per target.
#   scripts/fuzz.sh [seconds per target] [target …]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(intake_records condition_trees message_templates time_formats id_numbers import_files evaluation_formulas guidance_trees)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT/fuzz"
echo "| target | seconds | executions | exec/s | corpus grown to | crashes |"
echo "|---|---|---|---|---|---|"
for target in "${TARGETS[@]}"; do
  mkdir -p "$TMP/$target"
  cargo +nightly fuzz run "$target" "$TMP/$target" "corpus/$target" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$TMP/$target.log" 2>&1 || {
    tail -40 "$TMP/$target.log" >&2
    echo "| $target | $SECONDS_EACH | – | – | – | **crash: see fuzz/artifacts/$target/** |"
    exit 1
  }
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$TMP/$target.log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$TMP/$target.log")
  grown=$(find "$TMP/$target" -type f | wc -l)
  echo "| $target | $SECONDS_EACH | $runs | $rate | $grown inputs | 0 |"
done
