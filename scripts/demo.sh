#!/usr/bin/env bash
# Builds corio (release preset) and runs the main demo: the scaling demo, which runs the same
# IO-bound workload as coroutines (io_uring and Asio), thread-per-task, process-per-task, a thread
# pool and a process pool, for N = 10 up to 1,000,000 tasks, until each model hits its wall or its
# budget; prints a table, writes JSON Lines and charts under out/.
# Extra arguments go to the demo (see `corio-scaling --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target corio-scaling
mkdir -p out
exec build/release/demos/corio-scaling --json out/scaling.jsonl --plot out "$@"
