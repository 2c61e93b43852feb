#!/usr/bin/env bash
# One click: runs the legacy flow and raptor-secondary over Shared/test_data.json and writes
# Shared/results/{results_pre,results_post,aggregated_metrics}.json and Shared/compare_report.md.
# Installs and builds what is missing first (./setup.sh, npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
./setup.sh > /dev/null
[ -f pkg/raptor_secondary_bg.wasm ] || node scripts/build.mjs
echo "legacy baseline: $(node --test legacy/tests/ 2>&1 | awk '/^# pass/ {p=$3} /^# fail/ {f=$3} END {print p+0 " passed, " f+0 " failed (the two srcElement cases)"}')"
node Shared/compare.mjs
