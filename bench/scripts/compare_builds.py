#!/usr/bin/env python3
"""Before/after comparison of two corio builds, interleaved in one invocation.

  bench/scripts/compare_builds.py --old ../before/build/release --new build/release \
      --rounds 5 --out compare.jsonl            # then: compare_builds.py --table compare.jsonl

Build the old commit beside the new one (e.g. `git worktree add ../before <commit>` and
`cmake --preset release && cmake --build --preset release` there). Every round runs each
experiment once with each build, alternating which build goes first (old/new, then new/old), so
machine noise and drift hit both alike. Experiments (select with --only):
  spawn        corio-bench spawn  --tasks 1000000                     ns_per_task
  switch       corio-bench switch --tasks 1000 --rounds 1000          ns_per_switch
  timers       corio-bench timers --tasks 1000000 --sleep-ms 1000     bytes_per_task, lateness p50/p99
  echo1/echo100/echo10000
               corio-bench echo --connections C --message-bytes 64 --seconds S (server measured)
                                                                     msgs_per_s, cpu_us_per_msg, peak_rss_kb
  crawl-ka     corio-crawl, keep-alive list fetch, N = 20,000, C = 100, L = 0 (the crawl aims'
               aim 3) against one corio-site of the new build     cpu_per_request_us, wall_s
Each corio experiment runs the io_uring and the Asio backend (corio-uring / corio-asio, or the
crawl models coroutine-uring / coroutine-asio). One JSON line per run, tagged with "build",
"round", "experiment" and the 1-minute load average; --table prints medians and new/old ratios.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crawl"))
import crawl_matrix  # noqa: E402  (Site, settle, run_crawl)

IMPLS = "corio-uring,corio-asio"
CRAWL_MODELS = ["coroutine-uring", "coroutine-asio"]

METRICS = {
    "spawn": ["ns_per_task"],
    "switch": ["ns_per_switch"],
    "timers": ["bytes_per_task", "lateness_p50_us", "lateness_p99_us"],
    "echo": ["msgs_per_s", "cpu_us_per_msg", "peak_rss_kb"],
    "crawl-ka": ["cpu_per_request_us", "wall_s", "mem_peak_bytes"],
}


def bench_cmd(name, echo_seconds):
    if name == "spawn":
        return ["spawn", "--tasks", "1000000", "--runs", "1", "--impl", IMPLS]
    if name == "switch":
        return ["switch", "--tasks", "1000", "--rounds", "1000", "--runs", "1", "--impl", IMPLS]
    if name == "timers":
        return ["timers", "--tasks", "1000000", "--sleep-ms", "1000", "--runs", "1", "--impl", IMPLS]
    if name.startswith("echo"):
        return ["echo", "--impl", IMPLS, "--connections", name[4:], "--message-bytes", "64",
                "--seconds", str(echo_seconds), "--runs", "1"]
    raise ValueError(name)


def run_bench(build, name, echo_seconds):
    cmd = [os.path.join(build, "bench", "corio-bench")] + bench_cmd(name, echo_seconds)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    rows = []
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        if j.get("summary"):
            continue
        j["command"] = "corio-bench " + " ".join(cmd[1:])
        rows.append(j)
    if not rows:
        rows.append({"impl": "?", "error": "exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])})
    return rows


def run_crawl(build, site, model):
    extra = ["--list", "--keep-alive", "1"]
    crawl_matrix.settle(site)
    j = crawl_matrix.run_crawl(os.path.join(build, "bench", "crawl"), site, model, 20000, 100, 0, None, extra, 300)
    j["impl"] = model
    return [j]


def compare(a):
    names = a.only.split(",")
    site = None
    if "crawl-ka" in names:
        site = crawl_matrix.Site(os.path.join(a.new, "bench", "crawl"), 20000, 0, 4096, 8, 0)
    try:
        with open(a.out, "a") as out:
            for rnd in range(1, a.rounds + 1):
                order = [("old", a.old), ("new", a.new)]
                if rnd % 2 == 0:
                    order.reverse()
                for name in names:
                    for tag, build in order:
                        load1 = os.getloadavg()[0]
                        if name == "crawl-ka":
                            rows = []
                            for m in CRAWL_MODELS:
                                rows += run_crawl(build, site, m)
                        else:
                            rows = run_bench(build, name, a.echo_seconds)
                        for j in rows:
                            j.update({"build": tag, "round": rnd, "experiment": name, "load1": load1})
                            out.write(json.dumps(j) + "\n")
                            out.flush()
                            keys = ["experiment", "build", "round", "impl"] + METRICS["echo" if name.startswith("echo") else name]
                            print(json.dumps({k: j.get(k) for k in keys + ["error"] if k in j}), file=sys.stderr, flush=True)
    finally:
        if site:
            site.stop()


def table(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            rows += [json.loads(l) for l in f if l.strip()]
    groups = {}
    for j in rows:
        if "error" in j and j.get("error"):
            continue
        exp = j["experiment"]
        for m in METRICS["echo" if exp.startswith("echo") else exp]:
            if m in j and j[m] is not None:
                groups.setdefault((exp, j["impl"], m), {}).setdefault(j["build"], []).append(float(j[m]))
    print("| experiment | impl | metric | old (median) | new (median) | new/old | runs | new min-max |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for (exp, impl, m), b in sorted(groups.items()):
        if "old" not in b or "new" not in b:
            continue
        o, n = statistics.median(b["old"]), statistics.median(b["new"])
        ratio = n / o if o else float("nan")
        print("| %s | %s | %s | %.4g | %.4g | %.3f | %d/%d | %.4g-%.4g |" %
              (exp, impl, m, o, n, ratio, len(b["old"]), len(b["new"]), min(b["new"]), max(b["new"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", help="build directory of the old commit (has bench/corio-bench)")
    ap.add_argument("--new", help="build directory of the new commit")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--echo-seconds", type=float, default=5)
    ap.add_argument("--only", default="spawn,switch,timers,echo1,echo100,echo10000,crawl-ka")
    ap.add_argument("--out", default="compare.jsonl")
    ap.add_argument("--table", nargs="+", metavar="JSONL", help="print the medians of earlier runs and exit")
    a = ap.parse_args()
    if a.table:
        return table(a.table)
    if not a.old or not a.new:
        ap.error("--old and --new are required (or --table)")
    if a.rounds < 1 or a.echo_seconds <= 0:
        ap.error("--rounds must be >= 1 and --echo-seconds > 0")
    compare(a)
    table([a.out])


if __name__ == "__main__":
    main()
