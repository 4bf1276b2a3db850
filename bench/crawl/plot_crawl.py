#!/usr/bin/env python3
"""Charts of the crawl matrix (crawl_matrix.py matrix) with gnuplot (Debian: gnuplot-nox).

  bench/crawl/plot_crawl.py crawl.jsonl docs/img [--format svg|png] [--mode crawl|list]

Writes <dir>/crawl-<mode>-wall.<fmt> (wall / ideal), -memory (peak memory, MiB) and -cpu (CPU per
request, us), one cluster of bars per (N, C), one bar per model, each the median of its runs.
A run that stopped short of N (budget, limit) is left out of the medians; a (model, N, C) with no
complete run is drawn as an empty slot and named in the chart's footnote.
ideal = ceil(N/C) * L (the issue's definition), so for the crawl the wall/ideal of C = N is bounded
below by the site's depth (D + 1 levels of links), not by one round trip: see docs/results-crawl.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

MODELS = ["coroutine-uring", "coroutine-asio", "asio-awaitable", "threads", "processes", "thread-pool", "process-pool"]
COLORS = {"coroutine-uring": "#1f4e9c", "coroutine-asio": "#17a2b8", "asio-awaitable": "#7f7f7f", "threads": "#d62728",
          "processes": "#ff7f0e", "thread-pool": "#2ca02c", "process-pool": "#8c564b"}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("outdir")
    p.add_argument("--format", default="svg", choices=["svg", "png"])
    p.add_argument("--mode", default="crawl", choices=["crawl", "list"])
    a = p.parse_args()

    runs = {}
    with open(a.file) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            j = json.loads(line)
            if j.get("experiment") != "matrix" or j.get("type") == "server" or j.get("mode") != a.mode:
                continue
            runs.setdefault((j["n"], j["concurrency_limit"], j["model"]), []).append(j)
    if not runs:
        sys.exit("plot_crawl.py: no matrix runs of mode %s in %s" % (a.mode, a.file))
    configs = sorted({(n, c) for (n, c, _) in runs}, key=lambda x: (x[0], x[1]))
    models = [m for m in MODELS if any(k[2] == m for k in runs)]
    missing = []

    def med(n, c, m, key, scale=1.0):
        ok = [j for j in runs.get((n, c, m), []) if j.get("complete") and j.get(key) is not None]
        if not ok:
            if (n, c, m) in runs and (m, n, c) not in missing:
                missing.append((m, n, c))
            return None
        return statistics.median(j[key] for j in ok) * scale

    os.makedirs(a.outdir, exist_ok=True)
    charts = [
        ("wall", "wall time / ideal (ideal = ceil(N/C) x L, L = 100 ms)", "wall / ideal", "wall_over_ideal", 1.0, True),
        ("memory", "peak memory (the client's processes and threads, kernel stacks and page tables included)",
         "MiB", "mem_peak_bytes", 1 / 2**20, True),
        ("cpu", "client CPU per request (user + system, children included)", "microseconds", "cpu_per_request_us", 1.0, True),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, title, ylabel, key, scale, logy in charts:
            data = os.path.join(tmp, name + ".dat")
            with open(data, "w") as d:
                for n, c in configs:
                    label = "N=%d C=%s" % (n, "N" if c == n else c)
                    vals = []
                    for m in models:
                        v = med(n, c, m, key, scale)
                        vals.append("NaN" if v is None else "%.6g" % v)
                    d.write('"%s" %s\n' % (label, " ".join(vals)))
            plots = []
            for k, m in enumerate(models):
                plots.append("'%s' using %d:xtic(1) title '%s' lc rgb '%s'" % (data, k + 2, m, COLORS.get(m, "#555555")))
            note = ""
            if missing:
                note = "no complete run: " + ", ".join("%s N=%d C=%d" % x for x in missing)
            term = ("svg size 1000,560 dynamic enhanced font 'sans,12' background '#ffffff'" if a.format == "svg"
                    else "pngcairo size 1000,560 enhanced font 'sans,10' background '#ffffff'")
            out = os.path.join(a.outdir, "crawl-%s-%s.%s" % (a.mode, name, a.format))
            script = """
set terminal %s
set output '%s'
set title "%s (%s, medians)"
set ylabel '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc '#dddddd'
set key outside right top
%s
set label 1 "%s" at screen 0.01, screen 0.02 font ',9' tc rgb '#666666'
plot %s
""" % (term, out, title, a.mode, ylabel, "set logscale y" if logy else "", note, ", ".join(plots))
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
            print("wrote", out)


if __name__ == "__main__":
    main()
