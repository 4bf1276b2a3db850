// bench/models/runner.hpp - run one model on one workload, measured, and report it as one JSON line.
//
//   auto wl = corio_models::make_workload("sleep", {.sleep_ms = 1000});
//   auto m = corio_models::make_model("threads");
//   corio_models::run_options o; o.n = 1000;
//   corio_models::run_result r = corio_models::run_model(*m, *wl, o);
//   std::cout << r.json().str() << "\n";
//
// run_model is the one measured path: it allocates and touches the per-task records before the
// baseline (so they are not counted as the model's memory), applies the budgets (time, memory,
// spawn caps from limits.hpp), measures (measure.hpp), then checks every record: a task counts as
// done when its result arrived once and is valid, failed when it ran and failed (threw, exited
// non-zero, died, returned a wrong result), and "lost" would be a started task with no record
// (reported as failed; a correct model has none).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "models/limits.hpp"
#include "models/measure.hpp"
#include "models/model.hpp"
#include "models/run_control.hpp"
#include "models/workload.hpp"

namespace corio_models {

struct latency_stats {
  // From the run's start to the task's end: what a caller who submitted all N at time 0 sees.
  double p50_s = NAN, p99_s = NAN, max_s = NAN;
  // From the task's own start to its end: the task's service time.
  double own_p50_s = NAN, own_p99_s = NAN;
  // From the run's start to the task's start: the model's start-up delay.
  double start_p50_s = NAN, start_p99_s = NAN;
};

struct run_result {
  std::string model, workload;
  std::size_t n = 0;
  std::size_t started = 0, done = 0, failed = 0, duplicates = 0;
  bool complete = false;         // every one of the n tasks done
  stop_kind stopped_by = stop_kind::none;
  std::string stop_detail;       // e.g. "budget: pid margin: ..." or "fork: ... (EAGAIN); likely limit: RLIMIT_NPROC"
  int stop_errno = 0;
  std::size_t concurrency = 0;
  std::size_t max_in_flight = 0;  // most tasks running at once (from the records' start/end)
  std::int64_t t0_ns = 0;        // mono_ns() at the run's start (task_record times are absolute)
  double ideal_s = NAN;          // ceil(started / C) * L
  metrics m;
  latency_stats lat;
  std::vector<wall> walls;       // what this model would hit beyond its budget, nearest first
  system_limits limits;          // the snapshot taken before the run
  long spawn_cap = 0;            // the cap on live threads/processes applied (0: none)
  std::string spawn_cap_why;
  std::vector<task_record> records;  // kept when run_model's keep_records is true

  corio_bench::json_line head;  // model, workload and their details (describe())
  // The result line: head plus every figure above (records excluded).
  corio_bench::json_line json() const;
  // Peak memory per task running at once: mem_peak / max_in_flight (NaN without samples). Not
  // per task started: a thread-per-task run that never had more than 4,000 threads alive must not
  // be credited with the tasks that had already finished. (Dividing by the tasks in flight at the
  // peak sample instead fails for models whose memory stays at its peak after the tasks finish,
  // e.g. coroutine frames kept in corio's frame pool.)
  double mem_per_task() const;
};

run_result run_model(model& m, workload& wl, const run_options& o, bool keep_records = false);

// The cap on concurrently live threads/processes that run_model applies to model `m`.
spawn_budget_t spawn_budget_for(const model& m, const workload& wl, const run_options& o, const system_limits& l);

}  // namespace corio_models
