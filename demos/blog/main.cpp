// corio-blog - the blog's two experiments (Python: threads vs processes vs coroutines), in C++.
//
// What it shows: the blog timed Python on two tasks, CPU-bound (count 100,000,000 down) and
// IO-bound (sleep 4 s), run sequentially, in two threads, in two processes, in a Pool(4) and as
// coroutines. This demo runs the same two experiments with every C++ execution model of
// bench/models, prints which process and thread ran each task (as the blog does), and puts the
// results beside the blog's figures. What differs in C++: there is no GIL, so two threads DO run
// CPU-bound work in parallel; coroutines on one thread do not (they interleave waiting, not
// computing), unless the computation is handed to a thread pool (coroutine-offload,
// corio::spawn_blocking). The IO-bound experiment behaves as in Python: every concurrent model
// takes about one sleep instead of two. See docs/benchmarking.md.
//
//   corio-blog                          both experiments, ~10 s on an idle 2-core machine
//   corio-blog --experiment cpu --iterations 1000000000
//   corio-blog --experiment io --sleep-ms 4000 --json blog.jsonl
// Needs: Linux (fork, pthreads); io_uring is used if the kernel allows it, else Asio.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/args.hpp"
#include "models/cli.hpp"
#include "models/runner.hpp"

namespace {

using namespace corio_models;

struct blog_row {
  const char* model;     // bench/models name
  const char* label;     // what the blog calls it
  unsigned workers;      // pool size (0: model default)
  double blog_s;         // the blog's figure (NaN: not in the blog)
};

// The blog's figures (Python, 2 tasks): CPU-bound counting 100,000,000 down; IO-bound sleep 4 s.
constexpr double blog_cpu_one_task = 10.83 / 2;  // its single thread ran the two tasks in 10.83 s
constexpr double blog_io_one_task = 4.0;

const std::vector<blog_row> cpu_rows = {
    {"sequential", "single thread", 0, 10.83},
    {"threads", "two threads", 0, 10.81},
    {"processes", "two processes", 0, 6.26},
    {"process-pool", "Pool(4)", 4, 5.93},
    {"coroutine", "coroutines, one thread", 0, NAN},
    {"coroutine-offload", "coroutines + spawn_blocking", 0, NAN},
};
const std::vector<blog_row> io_rows = {
    {"sequential", "sequential", 0, 8.04},
    {"threads", "threads", 0, 4.20},
    {"processes", "processes", 0, 4.12},
    {"process-pool", "Pool(4)", 4, NAN},
    {"coroutine", "coroutines", 0, 4.01},
};

std::string fmt(const char* f, double v) {
  if (!std::isfinite(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

struct measured {
  const blog_row* row;
  run_result r;
};

measured run_row(const blog_row& row, workload& wl, std::size_t tasks, std::ostream* json, const char* experiment) {
  auto m = make_model(row.model);
  run_options o;
  o.n = tasks;
  o.workers = row.workers;
  o.sample_interval_s = 0.05;
  run_result r = run_model(*m, wl, o, /*keep_records=*/true);
  const pid_t me = getpid();
  std::printf("  %s (%s)\n", row.label, row.model);
  for (std::size_t i = 0; i < r.records.size(); ++i) {
    const task_record& t = r.records[i];
    if (t.state == task_state::not_run) {
      std::printf("    task %zu: not run\n", i);
      continue;
    }
    std::printf("    task %zu ran in %s %d, %s %d: %.2f s -> %.2f s%s\n", i,
                t.pid == me ? "this process" : "child process", t.pid, t.tid == t.pid ? "main thread" : "thread", t.tid,
                static_cast<double>(t.start_ns - r.t0_ns) / 1e9, static_cast<double>(t.end_ns - r.t0_ns) / 1e9,
                t.state == task_state::ok ? "" : "  FAILED");
  }
  std::string backend;
  if (std::string(row.model).rfind("coroutine", 0) == 0) {
    std::string line = r.json().str();
    auto p = line.find("\"backend\":\"");
    if (p != std::string::npos) backend = line.substr(p + 11, line.find('"', p + 11) - p - 11);
    std::printf("    (corio backend: %s)\n", backend.c_str());
  }
  std::printf("    wall %.2f s, CPU %.2f s (user %.2f, sys %.2f)%s\n", r.m.wall_s, r.m.user_s + r.m.sys_s, r.m.user_s,
              r.m.sys_s, r.complete ? "" : ("  INCOMPLETE: " + r.stop_detail).c_str());
  if (json) *json << r.json().add("experiment", experiment).add("blog_label", row.label).add("blog_s", row.blog_s).str() << "\n";
  return {&row, std::move(r)};
}

void table(const char* title, const std::vector<measured>& ms, double one_task_s, double blog_one_task_s, const char* unit_note) {
  std::printf("\n%s\n", title);
  std::printf("  %-28s %9s %9s %9s   %11s %9s\n", "model", "C++ s", "CPU s", "x 1 task", "blog (Py) s", "x 1 task");
  for (const auto& m : ms) {
    const double wall = m.r.m.wall_s;
    std::printf("  %-28s %9.2f %9.2f %9.2f   %11s %9s\n", m.row->label, wall, m.r.m.user_s + m.r.m.sys_s, wall / one_task_s,
                fmt("%.2f", m.row->blog_s).c_str(), fmt("%.2f", m.row->blog_s / blog_one_task_s).c_str());
  }
  std::printf("  (x 1 task: wall time / %s)\n", unit_note);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    corio_bench::args a(argc - 1, argv + 1, {"experiment", "iterations", "sleep-ms", "tasks", "json"}, {"help"});
    if (a.has("help")) {
      std::printf(
          "usage: corio-blog [--experiment cpu|io|both] [--iterations K (cpu, default 400000000)]\n"
          "                  [--sleep-ms MS (io, default 1000)] [--tasks N (default 2)] [--json FILE]\n");
      return 0;
    }
    if (!a.positional().empty()) throw std::invalid_argument("unexpected argument '" + a.positional().front() + "'");
    const std::string exp = a.get("experiment", "both");
    if (exp != "cpu" && exp != "io" && exp != "both") throw std::invalid_argument("--experiment: cpu, io or both");
    const std::size_t tasks = static_cast<std::size_t>(a.get_long("tasks", 2));
    if (tasks == 0 || tasks > 64) throw std::invalid_argument("--tasks: 1 to 64");
    workload_params wp;
    wp.iterations = static_cast<std::uint64_t>(a.get_long("iterations", 400'000'000));
    wp.sleep_ms = a.get_double("sleep-ms", 1000);
    std::ofstream json_file;
    std::ostream* json = nullptr;
    if (a.has("json")) {
      json_file.open(a.get("json"), std::ios::app);
      if (!json_file) throw std::runtime_error("cannot open " + a.get("json"));
      json = &json_file;
    }
    const unsigned cpus = read_limits().cpus;
    std::printf("corio-blog: %zu tasks per experiment; this process is pid %d; %u CPUs\n", tasks, getpid(), cpus);

    if (exp != "io") {
      auto wl = make_workload("cpu", wp);
      std::printf("\nCPU-bound: each task runs %llu steps of a multiply-xorshift chain (the blog counts 100,000,000 down)\n",
                  static_cast<unsigned long long>(wp.iterations));
      std::vector<measured> ms;
      for (const auto& row : cpu_rows) ms.push_back(run_row(row, *wl, tasks, json, "cpu"));
      // One task's own duration, from the sequential run (nothing else competed for a CPU).
      const double one = ms.front().r.lat.own_p50_s;
      table("CPU-bound, side by side with the blog", ms, one, blog_cpu_one_task,
            "one task's duration alone; the blog's: 10.83 s / 2");
      std::printf(
          "  No GIL in C++: two threads run on two CPUs at once, like two processes. Coroutines on one\n"
          "  thread run one computation at a time (sequential speed); spawn_blocking hands them to threads.\n");
    }
    if (exp != "cpu") {
      auto wl = make_workload("sleep", wp);
      std::printf("\nIO-bound: each task sleeps %.0f ms (the blog sleeps 4 s)\n", wp.sleep_ms);
      std::vector<measured> ms;
      for (const auto& row : io_rows) ms.push_back(run_row(row, *wl, tasks, json, "io"));
      table("IO-bound, side by side with the blog", ms, wp.sleep_ms / 1000, blog_io_one_task, "one sleep");
      std::printf("  Waiting overlaps in every concurrent model, in Python and in C++ alike.\n");
    }
    return 0;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "corio-blog: %s (see --help)\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corio-blog: error: %s\n", e.what());
    return 1;
  }
}
