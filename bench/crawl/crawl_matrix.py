#!/usr/bin/env python3
"""The crawler benchmark driver: runs corio-site and corio-crawl, writes JSON Lines, prints tables.

  bench/crawl/crawl_matrix.py matrix --bin build/crawl-release/bench/crawl --out crawl.jsonl
  bench/crawl/crawl_matrix.py aims   --bin build/crawl-release/bench/crawl --out aims.jsonl
  bench/crawl/crawl_matrix.py table  crawl.jsonl aims.jsonl        # medians, Markdown
Installed (cmake --install): <prefix>/share/corio/bench/crawl/crawl_matrix.py; --bin defaults to
the directory of corio-crawl on PATH.

matrix: the issue's matrix. L = --latency-ms (100); N in --n (1000, 10000), each against a site of
N pages; C = 100 and C = N; every model plus asio-awaitable; --reps runs each (3), interleaved:
rep 1 of every (N, C, model), then rep 2, ... so that the machine's noise hits every model alike.
--modes crawl,list runs the breadth-first crawl and the plain URL-list fetch.
aims: the issue's side-by-side aims, each one experiment with interleaved reps (--reps, 5):
  aim1  N = C = 10,000, L = 100 ms, a new connection per request (--keep-alive 0), list fetch;
  aim2  the same at L = 1,000 ms (wall within 1.3x of ideal?);
  aim3  keep-alive, L = 0, C = 100, N = 20,000 requests: client CPU per request.
Each run is a fresh corio-crawl process (no run inherits another's memory); the site server is
started once per (N, L) and its CPU during each run is measured by corio-crawl (--server-pid).
Every line gets "experiment", "rep", and the 1-minute load average before the run ("load1").
Before each run the driver waits until the previous run's connections are torn down (settle():
the server idle for 0.6 s, no orphaned TCP socket; "settle_s" says how long that took).
A run that exceeds --run-timeout is killed (with its process group) and recorded as such.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

MODELS = ["coroutine-uring", "coroutine-asio", "asio-awaitable", "threads", "processes", "thread-pool", "process-pool"]
AIM_MODELS = ["coroutine-uring", "coroutine-workers-uring", "coroutine-asio", "asio-awaitable", "epoll-floor"]


class Site:
    """corio-site in its own process; port and pid from its first line."""

    def __init__(self, bindir, pages, delay_ms, page_bytes, links, seed):
        cmd = [os.path.join(bindir, "corio-site"), "--port", "0", "--pages", str(pages), "--delay-ms", str(delay_ms),
               "--page-bytes", str(page_bytes), "--links", str(links), "--seed", str(seed)]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        info = json.loads(line)
        if info.get("event") != "listening":
            raise RuntimeError("corio-site did not start: " + line)
        self.port = info["port"]
        self.pid = self.proc.pid
        self.info = info

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        last = [l for l in out.splitlines() if l.strip()]
        return json.loads(last[-1]) if last else {}


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (None if it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def tcp_orphans():
    try:
        with open("/proc/net/sockstat") as f:
            for line in f:
                if line.startswith("TCP:"):
                    parts = line.split()
                    return int(parts[parts.index("orphan") + 1])
    except (OSError, ValueError):
        pass
    return 0


def settle(site, max_s=15.0):
    """Waits until the previous run's connections are torn down: the site server has used no CPU
    for 0.6 s and the kernel holds no orphaned TCP socket. A client started while the server is
    still closing 10,000 connections of the previous run gets its SYNs dropped (accept backlog
    full) and retransmitted a second later, whatever its execution model. Returns the wait."""
    t0 = time.time()
    last = cpu_ticks(site.pid)
    quiet = 0
    while time.time() - t0 < max_s:
        time.sleep(0.2)
        now = cpu_ticks(site.pid)
        quiet = quiet + 1 if (now == last and tcp_orphans() == 0) else 0
        last = now
        if quiet >= 3:
            break
    return time.time() - t0


def run_crawl(bindir, site, model, n, c, latency_ms, args, extra, timeout):
    cmd = [os.path.join(bindir, "corio-crawl"), "--model", model, "--url", "http://127.0.0.1:%d/page/0" % site.port,
           "--max-pages", str(n), "--concurrency", str(c), "--latency-ms", str(latency_ms),
           "--server-pid", str(site.pid)] + extra
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return {"model": model, "n": n, "concurrency_limit": c, "error": "killed after %d s" % timeout,
                "command": " ".join(cmd)}
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if not lines:
        return {"model": model, "n": n, "concurrency_limit": c, "error": "no result (exit %d): %s" % (p.returncode, err.strip()[-300:]),
                "command": " ".join(cmd)}
    j = json.loads(lines[-1])
    j["command"] = "corio-crawl " + " ".join(cmd[1:])
    j["elapsed_s"] = time.time() - t0
    return j


def emit(out, j):
    out.write(json.dumps(j) + "\n")
    out.flush()
    brief = {k: j.get(k) for k in ("experiment", "rep", "model", "n", "concurrency_limit", "wall_s", "wall_over_ideal",
                                   "cpu_s", "cpu_per_request_us", "mem_peak_bytes", "server_cpu_s", "complete", "site_check",
                                   "fetch_errors", "stop_detail", "error")}
    print(json.dumps(brief), file=sys.stderr, flush=True)


def matrix(a):
    with open(a.out, "a") as out:
        for n in a.n:
            site = Site(a.bin, n, a.latency_ms, a.page_bytes, a.links, a.seed)
            print("site: %s (pid %d, port %d)" % (" ".join(site.cmd), site.pid, site.port), file=sys.stderr)
            try:
                for rep in range(1, a.reps + 1):
                    for mode in a.modes:
                        for c in ([100, n] if a.c is None else [x if x > 0 else n for x in a.c]):
                            for model in a.models:
                                extra = ["--site-links", str(a.links), "--site-seed", str(a.seed)]
                                if mode == "list":
                                    extra.append("--list")
                                extra += ["--time-budget", str(a.time_budget)]
                                waited = settle(site)
                                load1 = os.getloadavg()[0]
                                j = run_crawl(a.bin, site, model, n, c, a.latency_ms, a, extra, a.run_timeout)
                                j.update({"experiment": "matrix", "mode": mode, "rep": rep, "load1": load1,
                                          "concurrency_limit": c, "site_pages": n, "settle_s": waited})
                                emit(out, j)
            finally:
                st = site.stop()
                st.update({"experiment": "matrix", "type": "server", "site_pages": n})
                out.write(json.dumps(st) + "\n")


def aims(a):
    specs = [
        ("aim1", 10000, 10000, 100, ["--list", "--keep-alive", "0"]),
        ("aim2", 10000, 10000, 1000, ["--list", "--keep-alive", "0"]),
        ("aim3", 20000, 100, 0, ["--list", "--keep-alive", "1"]),
    ]
    with open(a.out, "a") as out:
        for name, n, c, lat, extra in specs:
            if a.only and name not in a.only:
                continue
            site = Site(a.bin, n, lat, a.page_bytes, a.links, a.seed)
            print("%s: site %s (pid %d)" % (name, " ".join(site.cmd), site.pid), file=sys.stderr)
            try:
                for rep in range(1, a.reps + 1):
                    for model in a.models:
                        waited = settle(site)
                        load1 = os.getloadavg()[0]
                        j = run_crawl(a.bin, site, model, n, c, lat, a, extra, a.run_timeout)
                        j.update({"experiment": name, "rep": rep, "load1": load1, "concurrency_limit": c,
                                  "settle_s": waited})
                        emit(out, j)
            finally:
                st = site.stop()
                st.update({"experiment": name, "type": "server"})
                out.write(json.dumps(st) + "\n")


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def table(a):
    rows = []
    for f in a.files:
        with open(f) as fh:
            for line in fh:
                line = line.strip()
                if line.startswith("{"):
                    j = json.loads(line)
                    if j.get("type") != "server" and "model" in j:
                        rows.append(j)
    groups = {}
    for j in rows:
        key = (j.get("experiment"), j.get("mode", "list"), j.get("n"), j.get("concurrency_limit"), j.get("model"))
        groups.setdefault(key, []).append(j)
    print("| experiment | mode | N | C | model | runs | complete | wall s | ideal s | wall/ideal | crawl ideal s |"
          " client CPU s | CPU us/req | peak mem MiB | server CPU s | load1 |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    order = {m: i for i, m in enumerate(MODELS + [m for m in AIM_MODELS if m not in MODELS])}
    for key in sorted(groups, key=lambda k: (str(k[0]), str(k[1]), k[2] or 0, k[3] or 0, order.get(k[4], 99))):
        g = groups[key]
        ok = [j for j in g if j.get("complete")]
        src = ok if ok else g
        m = lambda k: median([j.get(k) for j in src])
        mem = m("mem_peak_bytes")
        note = ""
        if not ok:
            stops = {j.get("stop_detail") or j.get("error") or "" for j in g}
            note = " (stopped: " + "; ".join(sorted(s for s in stops if s))[:120] + ")"
        print("| %s | %s | %s | %s | %s%s | %d | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            key[0], key[1], key[2], key[3], key[4], note, len(g), len(ok), len(g), fmt(m("wall_s"), ".3f"),
            fmt(m("ideal_s"), ".2f"), fmt(m("wall_over_ideal"), ".2f"), fmt(m("ideal_crawl_s"), ".2f"),
            fmt(m("cpu_s"), ".3f"), fmt(m("cpu_per_request_us"), ".1f"), fmt(mem / 2**20 if mem is not None else None, ".1f"),
            fmt(m("server_cpu_s"), ".3f"), fmt(m("load1"), ".1f")))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("matrix", "aims"):
        s = sub.add_parser(name)
        s.add_argument("--bin", default=None,
                       help="directory holding corio-site and corio-crawl (default: where corio-crawl is on PATH, "
                            "e.g. <prefix>/bin after cmake --install)")
        s.add_argument("--out", required=True, help="JSON Lines file (appended to)")
        s.add_argument("--reps", type=int, default=3 if name == "matrix" else 5)
        s.add_argument("--page-bytes", type=int, default=4096)
        s.add_argument("--links", type=int, default=8)
        s.add_argument("--seed", type=int, default=0)
        s.add_argument("--run-timeout", type=int, default=900)
        s.add_argument("--models", type=lambda v: v.split(","), default=MODELS if name == "matrix" else AIM_MODELS)
        if name == "matrix":
            s.add_argument("--n", type=lambda v: [int(x) for x in v.split(",")], default=[1000, 10000])
            s.add_argument("--c", type=lambda v: [int(x) for x in v.split(",")], default=None,
                           help="concurrency values; 0 means N (default: 100,N)")
            s.add_argument("--modes", type=lambda v: v.split(","), default=["crawl", "list"])
            s.add_argument("--latency-ms", type=int, default=100)
            s.add_argument("--time-budget", type=int, default=300)
        else:
            s.add_argument("--only", type=lambda v: v.split(","), default=None, help="aim1,aim2,aim3")
    t = sub.add_parser("table")
    t.add_argument("files", nargs="+")
    a = p.parse_args()
    if a.cmd in ("matrix", "aims") and a.bin is None:
        crawl = shutil.which("corio-crawl")
        if crawl is None:
            p.error("--bin DIR is needed: corio-crawl is not on PATH")
        a.bin = os.path.dirname(os.path.realpath(crawl))
    {"matrix": matrix, "aims": aims, "table": table}[a.cmd](a)


if __name__ == "__main__":
    main()
