#!/usr/bin/env bash
# Opens mando's reports in a real browser (issue 20): Debian's chromium,
# headless, checks that each page loads with no console error, no request
# leaving the file and every chart and the map drawn, and keeps a
# screenshot of each first page in target/report-screens/ (CI artifacts).
# Installs chromium with apt-get when it is missing. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi

cargo build --locked --release --quiet
mando=target/release/mando
out=target/report-check
rm -rf "$out"
mkdir -p "$out" target/report-screens

# A run of each shipped security scenario and one crowd-only scenario,
# a comparison and a sweep, from the shipped files.
for s in mining_corridor_blockade highland_airport_protest substation_under_threat epstein_classic; do
  "$mando" run "scenarios/$s.ron" --quiet --out "$out/$s"
  "$mando" report "$out/$s" -o "$out/$s.html" --quiet
done
"$mando" compare scenarios/mining_corridor_blockade.ron \
  --vary command.model=pnp_lead,ffaa_control,unified,parallel --reps 6 --quiet --out "$out/compare"
"$mando" report "$out/compare" -o "$out/compare.html" --quiet
"$mando" sweep tests/fixtures/sweeps/small_grid.ron --quiet --out "$out/sweep"
"$mando" report "$out/sweep" -o "$out/sweep.html" --quiet

check="python3 scripts/browser_check.py --screenshots target/report-screens"
$check --require fig-map --require fig-timeline --require fig-harm \
  "$out/mining_corridor_blockade.html" "$out/highland_airport_protest.html" "$out/substation_under_threat.html"
$check --require fig-map --require fig-crowd "$out/epstein_classic.html"
$check --require fig-pareto --require fig-headline-deaths-forest "$out/compare.html"
$check --require fig-response-civilians-legitimacy "$out/sweep.html"
echo "reports checked; screenshots in target/report-screens/"
