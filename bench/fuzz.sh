#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 600), two at a time, and print libFuzzer's
# final figures. Needs nightly Rust and `cargo install cargo-fuzz` (docs/hardening.md).
#
#   bench/fuzz.sh [SECONDS] [TARGET...]
#
# New inputs stay in fuzz/corpus/<target>/ (not committed); crashes and slow inputs land in
# fuzz/artifacts/<target>/ and make the script exit 1. Logs: target/fuzz-logs/<target>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(front_matter markdown quiz owners book_toml search_query)
cargo +nightly fuzz build -s none -a || exit 2
mkdir -p target/fuzz-logs
run() {
  local t=$1
  mkdir -p "fuzz/artifacts/$t"
  "fuzz/target/x86_64-unknown-linux-gnu/release/$t" "fuzz/corpus/$t" \
    -max_total_time="$secs" -timeout=10 -max_len=8192 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" > "target/fuzz-logs/$t.log" 2>&1
}
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[i]}" &
  [ -n "${targets[i + 1]:-}" ] && run "${targets[i + 1]}" &
  wait
done
status=0
for t in "${targets[@]}"; do
  last=$(grep -E '^#[0-9]+' "target/fuzz-logs/$t.log" | tail -1)
  printf '%-14s %s\n' "$t" "$(echo "$last" | awk '{print $1" execs, "$3" "$4", "$5" "$6", "$7" "$8}')"
  if ls "fuzz/artifacts/$t"/* >/dev/null 2>&1; then
    echo "  found: $(ls "fuzz/artifacts/$t")"
    status=1
  fi
done
exit $status
