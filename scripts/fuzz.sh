#!/usr/bin/env bash
# Runs the coverage-guided fuzz targets in fuzz/ (docs/reliability.md) with
# cargo-fuzz's libFuzzer on the stable toolchain (--sanitizer none).
#
#   scripts/fuzz.sh --seconds 15            each target for 15 s (CI)
#   scripts/fuzz.sh --runs 1000000          each target for a million inputs
#   scripts/fuzz.sh --runs 1000000 scenario one target
#
# Installs cargo-fuzz (a pinned version) when it is missing. Each target
# starts from the corpus kept in fuzz/corpus/<target>/ (read only) and
# grows a scratch corpus in fuzz/target/corpus/<target>/. A crash stops
# the script with exit 1 and the input left in fuzz/artifacts/<target>/:
# copy it to fuzz/regressions/<target>/ (cargo test replays it) and fix.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=15)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(scenario overrides sweep_spec batch_folder)

version=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -q "$version"; then
  echo "fuzz: installing cargo-fuzz $version" >&2
  cargo install cargo-fuzz --version "$version" --locked --quiet
fi
cargo fuzz build -s none >&2

status=0
printf '%-13s %12s %8s %10s %8s %s\n' target executions seconds "execs/s" corpus result
for t in "${targets[@]}"; do
  work="fuzz/target/corpus/$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  log="fuzz/target/$t.log"
  start=$(date +%s)
  # -timeout: an input that takes 10 s is a hang, reported like a crash.
  if cargo fuzz run -s none "$t" "$work" "fuzz/corpus/$t" -- \
      "${limit[@]}" -dict=fuzz/scenario.dict -max_len=16384 -timeout=10 \
      -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result="CRASH: $(ls -t fuzz/artifacts/"$t"/* 2>/dev/null | head -1)"
    status=1
  fi
  secs=$(( $(date +%s) - start ))
  execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
  printf '%-13s %12s %8s %10s %8s %s\n' "$t" "${execs:-?}" "$secs" "${rate:-?}" "$(ls "$work" | wc -l)" "$result"
  if [ "$result" != ok ]; then
    grep -a -m1 -A3 "panicked at" "$log" >&2 || tail -20 "$log" >&2
  fi
done
exit $status
