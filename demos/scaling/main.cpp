// corio-scaling - the project's main demo: why coroutines scale and threads and processes do not.
//
// What it shows: N tasks that each wait (sleep, like the blog's time.sleep; later an HTTP fetch),
// N from 10 to 1,000,000 by decades and half-decades, run by every execution model: coroutines on
// corio (io_uring and Asio backends, one thread), a thread per task, a process per task, a thread
// pool and a process pool. Each model goes up in N until it hits a wall of this machine or a budget
// (time, memory, pid/map margins) given by flags; the demo then says where it stopped, why, and
// which wall it would hit beyond its budget. Every run happens in a fresh process and is measured
// by the same code (bench/models): wall time, CPU (incl. children), peak memory (incl. children
// and kernel stacks/page tables), context switches, per-task latency.
//
// Output: a table on stdout (a live progress line on stderr during each run), one JSON line per
// run in --json FILE, and with --plot DIR the charts (gnuplot, bench/scripts/plot-scaling.sh).
// Needs: Linux; io_uring for the coroutine-uring model (else that model reports why not).
//
//   corio-scaling                                   defaults: finishes in a few minutes
//   corio-scaling --workload sleep --models coroutine-uring,threads --n 10,100,1000 --json s.jsonl
//   corio-scaling --help
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_run.hpp"
#include "common/args.hpp"
#include "common/json.hpp"
#include "common/stats.hpp"
#include "flat_json.hpp"
#include "models/cli.hpp"
#include "models/runner.hpp"

#ifndef CORIO_SOURCE_DIR
#define CORIO_SOURCE_DIR "."
#endif
#ifndef CORIO_DATA_FROM_BINDIR  // share/corio relative to the installed binary (demos/CMakeLists.txt)
#define CORIO_DATA_FROM_BINDIR "../share/corio"
#endif

namespace {

using corio_scaling::json_bool;
using corio_scaling::json_num;
using corio_scaling::json_str;

const char* usage =
    "usage: corio-scaling [options]\n"
    "  --workload W        sleep (default) or cpu\n"
    "  --models LIST       default coroutine-uring,coroutine-asio,threads,processes,thread-pool,process-pool\n"
    "                      (also: coroutine, coroutine-offload, sequential)\n"
    "  --n LIST            task counts, default 10,32,100,316,1000,3162,10000,31623,100000,316228,1000000\n"
    "  --sleep-ms MS       sleep workload: each task sleeps MS (default 1000)\n"
    "  --iterations K      cpu workload: steps per task (default 100000000)\n"
    "  --repeat R          runs per (model, N); the table shows medians (default 1)\n"
    "  --time-budget S     per run: stop starting tasks after S s (default 15)\n"
    "  --memory-budget MIB per run: stop starting tasks past MIB MiB added (default 8192)\n"
    "  --mem-floor MIB     keep MemAvailable above MIB MiB (default 4096)\n"
    "  --pid-margin K      leave K pids free on the machine (default 4096)\n"
    "  --pool-threads T    thread-pool size (default 32)\n"
    "  --pool-procs P      process-pool size (default 2 x CPUs)\n"
    "  --thread-stack KIB  stack of per-task and pool threads (default: RLIMIT_STACK)\n"
    "  --sample-ms MS      memory sampling interval (default 50)\n"
    "  --run-timeout S     kill a run that lasts longer (default 4 x time budget + 120)\n"
    "  --keep-going        go on to larger N after a model stopped short\n"
    "  --json FILE         JSON Lines output (default scaling.jsonl)\n"
    "  --plot DIR          draw the charts into DIR when done (gnuplot)\n";

std::string fmt(const char* f, double v) {
  if (!std::isfinite(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string human_n(double n) {
  char b[32];
  if (n >= 1e6)
    std::snprintf(b, sizeof b, "%.3gM", n / 1e6);
  else if (n >= 1e4)
    std::snprintf(b, sizeof b, "%.3gk", n / 1e3);
  else
    std::snprintf(b, sizeof b, "%.0f", n);
  return b;
}

std::string bytes(double b) {
  if (!std::isfinite(b)) return "-";
  char s[32];
  if (std::fabs(b) >= 1 << 30)
    std::snprintf(s, sizeof s, "%.2f GiB", b / (1 << 30));
  else if (std::fabs(b) >= 1 << 20)
    std::snprintf(s, sizeof s, "%.1f MiB", b / (1 << 20));
  else if (std::fabs(b) >= 1 << 10)
    std::snprintf(s, sizeof s, "%.1f KiB", b / (1 << 10));
  else
    std::snprintf(s, sizeof s, "%.0f B", b);
  return s;
}

// Where a script of the source tree (e.g. "bench/scripts/plot-scaling.sh") is: installed, under
// share/corio next to this binary's bin/ (found from /proc/self/exe, so the tree may be moved);
// else in the source tree this binary was built from. "" if neither has it.
std::string find_script(const std::string& rel) {
  std::vector<std::string> roots;
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    std::string dir(exe, static_cast<std::size_t>(len));
    dir.erase(dir.find_last_of('/') + 1);
    const std::string data = CORIO_DATA_FROM_BINDIR;
    roots.push_back(!data.empty() && data[0] == '/' ? data : dir + data);
  }
  roots.push_back(CORIO_SOURCE_DIR);
  for (const auto& r : roots) {
    std::string path = r + "/" + rel;
    if (access(path.c_str(), R_OK) == 0) return path;
  }
  return "";
}

// ---- one measured run, in this process (--one) ----
int run_one(const corio_bench::args& a) {
  auto o = corio_models::parse_run_options(a);
  o.label = a.get("one") + " N=" + human_n(static_cast<double>(o.n));
  auto wl = corio_models::make_workload(a.get("workload", "sleep"), corio_models::parse_workload_params(a));
  auto m = corio_models::make_model(a.get("one"));
  auto r = corio_models::run_model(*m, *wl, o);
  std::cout << r.json().str() << std::endl;
  return 0;
}

struct row {
  std::string model;
  long long n = 0;
  std::vector<std::string> lines;  // one per repeat
  std::string failure;             // a run that printed nothing
};

double median_of(const std::vector<std::string>& lines, const char* key) {
  std::vector<double> v;
  for (auto& l : lines) {
    double d = json_num(l, key);
    if (std::isfinite(d)) v.push_back(d);
  }
  return v.empty() ? NAN : corio_bench::median(v);
}

void print_header() {
  std::printf("%-17s %8s %8s %6s %8s %8s %8s %7s %8s %10s %10s %7s %7s %7s  %s\n", "model", "N", "done", "failed",
              "max live", "wall s", "ideal s", "w/ideal", "CPU s", "memory", "mem/live", "vol cs", "inv cs", "p99 s",
              "stopped by");
}

void print_row(const row& r) {
  if (r.lines.empty()) {
    std::printf("%-17s %8s  run failed: %s\n", r.model.c_str(), human_n(static_cast<double>(r.n)).c_str(), r.failure.c_str());
    return;
  }
  const double wall = median_of(r.lines, "wall_s"), ideal = median_of(r.lines, "ideal_s");
  std::string detail;
  for (auto& x : r.lines)
    if (!json_bool(x, "complete")) {
      detail = json_str(x, "stop_detail");
      if (detail.empty()) detail = "some tasks failed";
    }
  std::printf("%-17s %8s %8s %6s %8s %8s %8s %7s %8s %10s %10s %7s %7s %7s  %s\n", r.model.c_str(),
              human_n(static_cast<double>(r.n)).c_str(), human_n(median_of(r.lines, "done")).c_str(),
              fmt("%.0f", median_of(r.lines, "failed")).c_str(), human_n(median_of(r.lines, "max_in_flight")).c_str(),
              fmt("%.2f", wall).c_str(), fmt("%.2f", ideal).c_str(),
              fmt("%.2f", wall / ideal).c_str(), fmt("%.2f", median_of(r.lines, "cpu_s")).c_str(),
              bytes(median_of(r.lines, "mem_peak_bytes")).c_str(), bytes(median_of(r.lines, "mem_per_task_bytes")).c_str(),
              human_n(median_of(r.lines, "vcsw")).c_str(), human_n(median_of(r.lines, "ivcsw")).c_str(),
              fmt("%.2f", median_of(r.lines, "lat_p99_s")).c_str(), detail.c_str());
  std::fflush(stdout);
}

// A run stopped short: it did not complete all N tasks (budget, limit, error, crash).
bool short_of_n(const row& r) {
  if (r.lines.empty()) return true;
  for (auto& l : r.lines)
    if (!json_bool(l, "complete")) return true;
  return false;
}

std::string first_wall(const std::string& line) {
  std::string_view arr = corio_scaling::json_array(line, "walls");
  if (arr.size() < 3) return "";
  return json_str(arr, "detail");
}

// Waits (at most 15 s) until the machine has recovered from the previous run: its threads and
// processes are gone (tasks in use back within 64 of `baseline_tasks`) and the kernel has stopped
// handing memory back (MemAvailable unchanged within 4 MiB over 0.3 s). A run started while the
// kernel still tears down 28,000 threads of the previous one measures that teardown too: the
// coroutine run after the threads run at N = 316,228 took 1.95 s instead of 1.4 s.
// Returns the seconds waited.
double settle(long baseline_tasks) {
  const auto t0 = std::chrono::steady_clock::now();
  long long last_avail = -1;
  int quiet = 0;
  for (;;) {
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (waited > 15) return waited;
    const auto lim = corio_models::read_limits();
    const bool tasks_back = lim.tasks_in_use <= baseline_tasks + 64;
    const bool mem_still = last_avail >= 0 && std::llabs(lim.mem_available - last_avail) < (4ll << 20);
    quiet = tasks_back && mem_still ? quiet + 1 : 0;
    if (quiet >= 3) return waited;
    last_avail = lim.mem_available;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int run_matrix(const corio_bench::args& a, char* self, const std::string& command) {
  const std::string workload = a.get("workload", "sleep");
  corio_models::make_workload(workload, corio_models::parse_workload_params(a));  // validates
  const auto models = a.get_list("models", {"coroutine-uring", "coroutine-asio", "threads", "processes", "thread-pool",
                                            "process-pool"});
  for (auto& m : models) corio_models::make_model(m);  // validates names
  const auto ns = a.get_long_list("n", {10, 32, 100, 316, 1000, 3162, 10000, 31623, 100000, 316228, 1000000});
  const long long repeat = std::max(1LL, a.get_long("repeat", 1));
  const double budget = a.get_double("time-budget", 15);
  const double run_timeout = a.get_double("run-timeout", 4 * budget + 120);
  const std::string json_path = a.get("json", "scaling.jsonl");
  const bool keep_going = a.has("keep-going");
  std::ofstream out(json_path, std::ios::app);
  if (!out) throw std::runtime_error("cannot open " + json_path);
  corio_scaling::become_subreaper();

  // The fixed part of every run's command line.
  std::vector<std::string> base{"/proc/self/exe"};
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    exe[len] = 0;
    base[0] = exe;
  } else {
    base[0] = self;
  }
  auto pass = [&](const char* name, const std::string& def) {
    std::string v = a.get(name, def);
    if (!v.empty()) {
      base.push_back(std::string("--") + name);
      base.push_back(v);
    }
  };
  base.push_back("--workload");
  base.push_back(workload);
  pass("sleep-ms", "");
  pass("iterations", "");
  pass("time-budget", fmt("%g", budget));
  pass("memory-budget", "8192");
  pass("mem-floor", "");
  pass("pid-margin", "");
  pass("thread-stack", "");
  pass("sample-ms", "");
  const bool progress = isatty(STDERR_FILENO);
  if (progress) base.push_back("--progress");

  const auto lim = corio_models::read_limits();
  std::time_t t = std::time(nullptr);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&t));
  {
    corio_bench::json_line meta;
    meta.add("type", "meta").add("demo", "corio-scaling").add("started", stamp).add("command", command);
    meta.add("workload", workload);
    meta.add("repeat", repeat).add("time_budget_s", budget).add("cpus", lim.cpus).add("pid_max", lim.pid_max);
    meta.add("tasks_in_use", lim.tasks_in_use).add("max_map_count", lim.max_map_count);
    meta.add("mem_total_bytes", lim.mem_total).add("mem_available_bytes", lim.mem_available);
    meta.add("rlimit_nofile", lim.rlimit_nofile);
    out << meta.str() << std::endl;
  }
  std::printf("corio-scaling: workload %s, %zu models, N up to %s, %lld run(s) each, time budget %g s per run\n",
              workload.c_str(), models.size(), human_n(static_cast<double>(ns.back())).c_str(), repeat, budget);
  std::printf("machine: %u CPUs, pid_max %ld (%ld in use), max_map_count %ld, MemAvailable %s, open files %ld\n\n",
              lim.cpus, lim.pid_max, lim.tasks_in_use, lim.max_map_count, bytes(static_cast<double>(lim.mem_available)).c_str(),
              lim.rlimit_nofile);
  print_header();

  std::map<std::string, std::string> stopped_at;  // model -> why it stopped (and where)
  std::map<std::string, std::string> wall_of;     // model -> the wall beyond its budget
  std::map<std::string, long long> last_full;     // model -> largest N completed
  for (long long n : ns) {
    for (const auto& m : models) {
      if (stopped_at.count(m) && !keep_going) continue;
      row r{m, n, {}, {}};
      for (long long k = 0; k < repeat; ++k) {
        std::vector<std::string> argv = base;
        argv.insert(argv.end(), {"--one", m, "--n", std::to_string(n)});
        if (m == "thread-pool" && a.has("pool-threads")) argv.insert(argv.end(), {"--workers", a.get("pool-threads")});
        if (m == "process-pool" && a.has("pool-procs")) argv.insert(argv.end(), {"--workers", a.get("pool-procs")});
        const double settled = settle(lim.tasks_in_use);
        corio_scaling::child_outcome c = corio_scaling::run_child(argv, run_timeout);
        if (c.line.empty()) {
          r.failure = c.failure.empty() ? "no result" : c.failure;
          corio_bench::json_line j;
          j.add("type", "run").add("model", m).add("workload", workload).add("n", n).add("complete", false);
          j.add("stopped_by", "crash").add("stop_detail", r.failure).add("repeat", k);
          out << j.str() << std::endl;
          break;
        }
        std::string line = c.line;
        line.pop_back();  // '}'
        line = "{\"type\":\"run\"," + line.substr(1) + ",\"repeat\":" + std::to_string(k) +
               ",\"settle_s\":" + fmt("%.3f", settled) + ",\"scaling_started\":\"" + stamp + "\"}";
        out << line << std::endl;
        r.lines.push_back(line);
        if (!json_bool(line, "complete")) break;  // no point repeating a run that hits a wall
      }
      print_row(r);
      if (!short_of_n(r)) {
        last_full[m] = n;
      } else {
        std::string why = r.lines.empty() ? "crash: " + r.failure : json_str(r.lines.back(), "stop_detail");
        if (!r.lines.empty() && json_str(r.lines.back(), "stopped_by").empty()) why = "some tasks failed";
        std::string reached;
        if (!r.lines.empty()) {
          const std::string& l = r.lines.back();
          const double started = json_num(l, "started"), wall = json_num(l, "wall_s");
          reached = " (started " + human_n(started) + " at " + fmt("%.3g", started / wall) + "/s, at most " +
                    human_n(json_num(l, "max_in_flight")) + " at once)";
        }
        stopped_at[m] = "at N=" + human_n(static_cast<double>(n)) + reached + ": " + why;
        if (!r.lines.empty()) wall_of[m] = first_wall(r.lines.back());
      }
    }
  }

  std::printf("\nwhere each model stopped on this machine:\n");
  for (const auto& m : models) {
    std::string full = last_full.count(m) ? human_n(static_cast<double>(last_full[m])) : "none";
    if (!stopped_at.count(m)) {
      std::printf("  %-17s every N up to %s completed\n", m.c_str(), full.c_str());
      continue;
    }
    std::printf("  %-17s largest complete N %s; stopped %s\n", m.c_str(), full.c_str(), stopped_at[m].c_str());
    if (!wall_of[m].empty()) std::printf("  %-17s   wall beyond the budget: %s\n", "", wall_of[m].c_str());
  }
  std::printf("\nJSON lines: %s\n", json_path.c_str());
  std::string plot_script = find_script("bench/scripts/plot-scaling.sh");
  if (!a.has("plot")) {
    std::printf("charts: %s %s docs/img\n", plot_script.empty() ? "bench/scripts/plot-scaling.sh" : plot_script.c_str(),
                json_path.c_str());
  } else if (plot_script.empty()) {
    std::fprintf(stderr, "corio-scaling: plotting failed: plot-scaling.sh is neither installed (share/corio/bench/scripts) "
                         "nor in %s/bench/scripts\n", CORIO_SOURCE_DIR);
  } else {
    std::string cmd = "bash '" + plot_script + "' '" + json_path + "' '" + a.get("plot") + "'";
    std::printf("charts: %s\n", cmd.c_str());
    std::fflush(stdout);
    int rc = std::system(cmd.c_str());
    if (rc != 0) std::fprintf(stderr, "corio-scaling: plotting failed (%s)\n", cmd.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    corio_bench::args a(argc - 1, argv + 1,
                        {CORIO_MODELS_RUN_OPTIONS, "workload", "models", "repeat", "pool-threads", "pool-procs",
                         "run-timeout", "json", "plot", "one"},
                        {CORIO_MODELS_RUN_FLAGS, "keep-going", "help"});
    if (a.has("help")) {
      std::fputs(usage, stdout);
      return 0;
    }
    if (!a.positional().empty()) throw std::invalid_argument("unexpected argument '" + a.positional().front() + "'");
    if (a.has("one")) return run_one(a);
    std::string command = "corio-scaling";
    for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
    return run_matrix(a, argv[0], command);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "corio-scaling: %s\n%s", e.what(), usage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corio-scaling: error: %s\n", e.what());
    return 1;
  }
}
