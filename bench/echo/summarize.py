#!/usr/bin/env python3
# bench/echo/summarize.py <echo-*.jsonl>...: one Markdown table row per summary line of
# `corio-bench echo` (medians over runs), plus each impl's spread (min-max of msgs/s over runs).
import json
import sys

print("| C | impl | msgs/s (median) | msgs/s min-max | p50 us | p99 us | server CPU s | CPU us/msg | peak RSS KiB |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for path in sys.argv[1:]:
    runs = {}
    summaries = []
    for line in open(path):
        j = json.loads(line)
        if j.get("summary"):
            summaries.append(j)
        else:
            runs.setdefault(j["impl"], []).append(j["msgs_per_s"])
    for s in summaries:
        r = runs.get(s["impl"], [0])
        print(f"| {s['connections']} | {s['impl']} | {s['msgs_per_s']:,.0f} | {min(r):,.0f}-{max(r):,.0f} | "
              f"{s['p50_us']:,.0f} | {s['p99_us']:,.0f} | {s['cpu_s']:.2f} | {s['cpu_us_per_msg']:.2f} | "
              f"{s['peak_rss_kb']:,.0f} |")
