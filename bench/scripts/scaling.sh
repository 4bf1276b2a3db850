#!/usr/bin/env bash
# The scaling demo in one command: builds corio-scaling (release preset) if needed, runs it, and
# draws the charts with gnuplot.
#
#   bench/scripts/scaling.sh                              defaults: a few minutes
#   bench/scripts/scaling.sh --sleep-ms 10000 --repeat 3 --time-budget 60
#   OUT=docs/img bench/scripts/scaling.sh ...            where the JSON Lines file and charts go
#   CORIO_SCALING=path/to/corio-scaling bench/scripts/scaling.sh ...
#
# Every option is passed to corio-scaling (see corio-scaling --help). Output: $OUT/scaling.jsonl
# (appended to) and $OUT/scaling-{wall,cpu,memory,memory-total}.svg; $OUT defaults to out/scaling.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-out/scaling}
bin=${CORIO_SCALING:-build/release/demos/corio-scaling}
if [[ ! -x $bin ]]; then
  echo "== building corio-scaling (release preset)" >&2
  cmake --preset release >/dev/null
  cmake --build --preset release --target corio-scaling
fi
mkdir -p "$out"
"$bin" --json "$out/scaling.jsonl" "$@"
bench/scripts/plot-scaling.sh "$out/scaling.jsonl" "$out"
