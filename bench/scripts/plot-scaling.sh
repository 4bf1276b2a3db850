#!/usr/bin/env bash
# Draws the scaling demo's charts from its JSON Lines file, with gnuplot (Debian: gnuplot-nox).
#
#   bench/scripts/plot-scaling.sh scaling.jsonl docs/img [prefix]
#   PLOT_FORMAT=png bench/scripts/plot-scaling.sh ...      PNG instead of SVG
#
# Writes <dir>/<prefix>-wall.svg, -memory.svg, -memory-total.svg and -cpu.svg (prefix: "scaling"):
# wall time, memory per task, total memory and CPU time (user + system, children included) against
# N, one line per model, log-log axes. Each point is the median of the runs of that (model, N).
# A run that stopped short of N (budget, limit) is drawn as an open circle at the number of tasks it
# reached. Only lines with "type":"run" are read (corio-scaling writes them); runs of several
# corio-scaling invocations in one file are all used.
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 FILE.jsonl OUTDIR [prefix]" >&2
  exit 2
fi
in=$1
out=$2
prefix=${3:-scaling}
format=${PLOT_FORMAT:-svg}
case $format in
  svg) terminal="svg size 960,540 dynamic enhanced font 'sans,12' background '#ffffff'" ;;
  png) terminal="pngcairo size 960,540 enhanced font 'sans,10' background '#ffffff'" ;;
  *) echo "$0: PLOT_FORMAT must be svg or png" >&2; exit 2 ;;
esac
command -v gnuplot >/dev/null || { echo "$0: gnuplot not found (apt-get install gnuplot-nox, see scripts/deps.sh)" >&2; exit 1; }
[[ -r $in ]] || { echo "$0: cannot read $in" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One data file per model and kind (full: completed all N; stop: stopped short), columns:
#   x  wall_s  cpu_s  mem_per_task_bytes  mem_peak_bytes
# where x is N for full runs and the number of tasks reached for stopped ones; medians per (model, N).
awk -v dir="$tmp" '
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
  for (i = 2; i <= n; i++) { t = a[i] + 0; j = i - 1; while (j >= 1 && a[j] + 0 > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t }
  if (n % 2) return a[(n + 1) / 2]
  return (a[n / 2] + a[n / 2 + 1]) / 2
}
index($0, "\"type\":\"run\"") {
  m = raw($0, "model"); n = raw($0, "n") + 0
  if (m == "" || raw($0, "wall_s") == "" || raw($0, "wall_s") == "null") next
  kind = raw($0, "complete") == "true" ? "full" : "stop"
  k = m SUBSEP kind SUBSEP n
  if (!(k in seen)) { seen[k] = 1; order[++cnt] = k }
  x[k] = x[k] " " (kind == "full" ? n : raw($0, "started"))
  w[k] = w[k] " " raw($0, "wall_s"); c[k] = c[k] " " raw($0, "cpu_s")
  p[k] = p[k] " " raw($0, "mem_per_task_bytes"); t[k] = t[k] " " raw($0, "mem_peak_bytes")
  if (!(m in models)) { models[m] = 1; morder[++mc] = m }
  L = raw($0, "sleep_ms")
}
END {
  for (i = 1; i <= cnt; i++) {
    k = order[i]; split(k, parts, SUBSEP)
    f = dir "/" parts[1] "." parts[2] ".dat"
    printf "%s %s %s %s %s\n", median(x[k]), median(w[k]), median(c[k]), median(p[k]), median(t[k]) >> f
  }
  for (i = 1; i <= mc; i++) print morder[i] > (dir "/models")
  print (L == "" ? "" : L / 1000) > (dir "/task_s")
}' "$in"

[[ -s $tmp/models ]] || { echo "$0: no runs in $in" >&2; exit 1; }
mapfile -t models <"$tmp/models"
task_s=$(cat "$tmp/task_s")

# The same colour for a model in every chart.
color() {
  case $1 in
    coroutine-uring | coroutine) echo '#1f4e9c' ;;
    coroutine-asio) echo '#17a2b8' ;;
    coroutine-offload) echo '#8e44ad' ;;
    threads) echo '#d62728' ;;
    processes) echo '#ff7f0e' ;;
    thread-pool) echo '#2ca02c' ;;
    process-pool) echo '#8c564b' ;;
    *) echo '#555555' ;;
  esac
}

# plot <file> <title> <ylabel> <column> [extra gnuplot lines]
plot() {
  local file=$1 title=$2 ylabel=$3 col=$4 extra=${5:-}
  local cmds="" m c
  for m in "${models[@]}"; do
    c=$(color "$m")
    [[ -s $tmp/$m.full.dat ]] && cmds+="'$tmp/$m.full.dat' using 1:(\$$col>0?\$$col:1/0) with linespoints lc rgb '$c' pt 7 ps 0.8 lw 2 title '$m', "
    [[ -s $tmp/$m.stop.dat ]] && cmds+="'$tmp/$m.stop.dat' using 1:(\$$col>0?\$$col:1/0) with points lc rgb '$c' pt 6 ps 2 lw 2 notitle, "
  done
  cmds+="NaN with points lc rgb '#444444' pt 6 ps 2 lw 2 title 'stopped short', "
  gnuplot <<EOF
set terminal $terminal
set output '$out/$prefix-$file.$format'
set title '$title'
set xlabel 'N (tasks); a run that stopped short is drawn at the tasks it reached'
set ylabel '$ylabel'
set logscale xy
set format x '10^{%L}'
set grid xtics ytics mxtics mytics lc '#dddddd'
set key outside right top vertical samplen 2
set xrange [5:2000000]
$extra
plot ${cmds%, }
EOF
  echo "wrote $out/$prefix-$file.$format"
}

ideal=""
if [[ -n $task_s ]]; then
  ideal="set arrow from 5,$task_s to 2000000,$task_s nohead dt 2 lc rgb '#888888'
set label 'one task (${task_s} s)' at 7,${task_s}*1.15 tc rgb '#666666'"
fi
plot wall "Wall time for N tasks" "wall time (s)" 2 "set format y '%g'
$ideal"
plot cpu "CPU time (user + system, children included)" "CPU time (s)" 3 "set format y '%g'"
plot memory "Peak memory per task (memory added by the run / most tasks running at once)" "bytes per task" 4 "set format y '%.0s %cB'"
plot memory-total "Peak memory added by the run (incl. children, kernel stacks, page tables)" "bytes" 5 "set format y '%.0s %cB'"
