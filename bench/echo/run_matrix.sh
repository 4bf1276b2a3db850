#!/bin/sh
# bench/echo/run_matrix.sh <corio-bench> <out-dir> [runs] [seconds]
# The echo matrix of docs/results-echo.md: every server impl at C = 1, 100 and 10,000 connections,
# 64-byte messages, interleaved runs (corio-bench echo does the interleaving and the medians).
# Writes <out-dir>/echo-c<C>.jsonl and prints a Markdown table of the summaries.
set -eu
bench=$1
out=$2
runs=${3:-5}
secs=${4:-5}
mkdir -p "$out"
for c in 1 100 10000; do
  echo "== C=$c: $bench echo --impl corio-uring,corio-asio,asio-awaitable,thread-per-connection --connections $c --message-bytes 64 --seconds $secs --runs $runs" >&2
  uptime >&2
  "$bench" echo --impl corio-uring,corio-asio,asio-awaitable,thread-per-connection --connections "$c" \
    --message-bytes 64 --seconds "$secs" --runs "$runs" > "$out/echo-c$c.jsonl"
done
python3 "$(dirname "$0")/summarize.py" "$out"/echo-c1.jsonl "$out"/echo-c100.jsonl "$out"/echo-c10000.jsonl
