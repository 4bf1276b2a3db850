// bench/models/model.hpp - an execution model: how N tasks of a workload get run.
//
// Models (make_model names; aliases in parentheses):
//   sequential                  one task after the other on the calling thread
//   coroutine                   one corio task per task, one thread, backend chosen automatically
//   coroutine-uring / -asio     the same on a given backend (coroutine-io_uring is an alias)
//   coroutine-offload           corio tasks whose work runs through spawn_blocking (corio's thread
//                               pool; `workers` threads): how a coroutine program does CPU work
//   threads (thread-per-task)   one pthread per task, all started at once
//   processes (process-per-task) one fork()ed child per task; results come back over a pipe
//   thread-pool                 `workers` threads take tasks from a shared counter
//   process-pool                `workers` forked children take tasks from the parent over pipes
//                               (one at a time, like multiprocessing.Pool(P) with chunksize=1);
//                               a child that dies loses only its current task and is replaced
//
// Contract of run(): runs tasks 0..n-1 of ctx.wl, each at most once, writing ctx.records[i];
// before starting each task it asks ctx.ctl.should_stop() (and may_spawn() for each thread or
// process it creates) and, once told to stop or refused by the system (EAGAIN...), it starts
// nothing more and records why in ctx.ctl. It returns only when every task it started has
// finished and every thread it created is joined and every child reaped: no zombie, no orphan.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "models/limits.hpp"
#include "models/run_control.hpp"
#include "models/workload.hpp"

namespace corio_models {

class measurement;

struct run_options {
  std::size_t n = 100;           // tasks
  unsigned workers = 0;          // pool size (thread-pool T, process-pool P, coroutine-offload); 0: default
  double time_budget_s = 0;      // stop starting tasks after this long; 0: no budget
  long long memory_budget = 0;   // stop starting tasks when the run has added this many bytes; 0: none
  margins margin;                // pid / map / fd / MemAvailable margins left to the machine
  long max_alive = 0;            // cap on live threads/processes besides the margins; 0: none
  std::size_t thread_stack = 0;  // per-task and pool thread stack size, bytes; 0: the default
  double sample_interval_s = 0.05;
  bool progress = false;         // live progress line on stderr
  std::string label;             // for the progress line
};

struct run_context {
  workload& wl;
  std::span<task_record> records;
  run_control& ctl;
  const run_options& opts;
  measurement& meter;
  std::int64_t t0_ns;
};

class model {
 public:
  virtual ~model() = default;
  virtual std::string name() const = 0;
  // What the model creates for each task (for budgets and walls).
  virtual per_task_resource resource() const = 0;
  // How many tasks can be in progress at once (C in the ideal time ceil(N/C)*L).
  virtual std::size_t concurrency(const run_options& o) const = 0;
  // Adds model details to the result line (backend, workers...). Valid after run().
  virtual void describe(corio_bench::json_line&) const {}
  virtual void run(run_context& ctx) = 0;
};

// Throws std::invalid_argument naming the known models for an unknown name.
std::unique_ptr<model> make_model(const std::string& name);
std::vector<std::string> model_names();
// Default pool size when run_options::workers is 0.
unsigned default_workers(const std::string& model_name);

// Runs task i of ctx.wl on the calling thread and fills `rec` (start, end, value, pid, tid,
// state). Never throws: a workload exception or a wrong result marks the task failed.
void run_task_blocking(workload& wl, std::size_t i, task_record& rec) noexcept;
// Progress counters after a task's record is final.
void count_task(run_control& ctl, const task_record& rec) noexcept;

}  // namespace corio_models
