#!/usr/bin/env bash
# Prints the scaling demo's results as a Markdown table (medians per model and N), for the docs.
#
#   bench/scripts/scaling-table.sh scaling.jsonl > table.md
#
# Rows in the order the runs appear (N ascending, models in the demo's order). A (model, N) whose
# runs did not all complete shows the last incomplete run's figures and why it stopped.
set -euo pipefail
if (($# < 1)); then
  echo "usage: $0 FILE.jsonl" >&2
  exit 2
fi
[[ -r $1 ]] || { echo "$0: cannot read $1" >&2; exit 1; }
awk '
function raw(line, key,   i, s, e) {
  i = index(line, "\"" key "\":")
  if (i == 0) return ""
  s = substr(line, i + length(key) + 3)
  if (substr(s, 1, 1) == "\"") { s = substr(s, 2); e = index(s, "\""); return substr(s, 1, e - 1) }
  e = match(s, /[,}\]]/)
  return substr(s, 1, e - 1)
}
function median(list,   n, a, i, j, t) {
  n = split(list, a, " ")
  if (n == 0) return ""
  for (i = 2; i <= n; i++) { t = a[i] + 0; j = i - 1; while (j >= 1 && a[j] + 0 > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t }
  if (n % 2) return a[(n + 1) / 2]
  return (a[n / 2] + a[n / 2 + 1]) / 2
}
function human(v) {
  if (v == "" || v == "null") return "-"
  v += 0
  if (v >= 1e6) return sprintf("%.3gM", v / 1e6)
  if (v >= 1e4) return sprintf("%.3gk", v / 1e3)
  return sprintf("%d", v + 0.5)
}
function bytes(v) {
  if (v == "" || v == "null") return "-"
  v += 0
  if (v >= 1073741824 || v <= -1073741824) return sprintf("%.2f GiB", v / 1073741824)
  if (v >= 1048576 || v <= -1048576) return sprintf("%.1f MiB", v / 1048576)
  if (v >= 1024 || v <= -1024) return sprintf("%.1f KiB", v / 1024)
  return sprintf("%d B", v)
}
function num(v, f) { return (v == "" || v == "null") ? "-" : sprintf(f, v) }
index($0, "\"type\":\"run\"") {
  m = raw($0, "model"); n = raw($0, "n")
  k = m SUBSEP n
  if (!(k in seen)) { seen[k] = 1; order[++cnt] = k }
  if (raw($0, "wall_s") == "") { crash[k] = raw($0, "stop_detail"); next }
  if (raw($0, "complete") != "true") { last_bad[k] = $0; next }
  for (f = 1; f <= nf; f++) vals[k, f] = vals[k, f] " " raw($0, fields[f])
  good[k]++
}
BEGIN {
  nf = split("done max_in_flight wall_s ideal_s cpu_s mem_peak_bytes mem_per_task_bytes vcsw ivcsw lat_p99_s start_p99_s", fields, " ")
  print "| model | N | runs | done | max live | wall s | ideal s | wall/ideal | CPU s | memory | memory per live task | vol. cs | invol. cs | p99 latency s | p99 start delay s | stopped by |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
}
END {
  for (i = 1; i <= cnt; i++) {
    k = order[i]; split(k, p, SUBSEP)
    if (k in crash && !(k in good) && !(k in last_bad)) { printf "| %s | %s | 0 | | | | | | | | | | | | | run failed: %s |\n", p[1], human(p[2]), crash[k]; continue }
    if (k in last_bad) {
      l = last_bad[k]
      d[1] = raw(l, "done"); d[2] = raw(l, "max_in_flight"); d[3] = raw(l, "wall_s"); d[4] = raw(l, "ideal_s"); d[5] = raw(l, "cpu_s")
      d[6] = raw(l, "mem_peak_bytes"); d[7] = raw(l, "mem_per_task_bytes"); d[8] = raw(l, "vcsw"); d[9] = raw(l, "ivcsw")
      d[10] = raw(l, "lat_p99_s"); d[11] = raw(l, "start_p99_s"); why = raw(l, "stop_detail"); runs = 1
      if (why == "") why = "failed tasks"
    } else {
      for (f = 1; f <= nf; f++) d[f] = median(vals[k, f])
      why = ""; runs = good[k]
    }
    printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p[1], human(p[2]), runs, human(d[1]), human(d[2]),
      num(d[3], "%.2f"), num(d[4], "%.2f"), (d[4] + 0 > 0 ? sprintf("%.2f", d[3] / d[4]) : "-"), num(d[5], "%.2f"),
      bytes(d[6]), bytes(d[7]), human(d[8]), human(d[9]), num(d[10], "%.2f"), num(d[11], "%.2f"), why
  }
}' "$1"
