// bench/models/workload.hpp - a workload: N independent tasks, defined once, run by every model.
//
// A workload says what task i does, in two forms that must do the same work:
//   - run_blocking(i): on the calling OS thread, blocking it (thread-per-task, process-per-task,
//     thread pool, process pool, sequential). A `fetch` workload calls a blocking HTTP client here.
//   - run_async(i): as a corio task on the current runtime's thread (the coroutine models). A
//     `fetch` workload awaits corio's HTTP client here.
// Both return a 64-bit result (a checksum, a byte count...) or throw; a throw marks the task failed.
// Models never look inside a workload: adding a workload (sleep, cpu, fetch, crawl...) changes no
// model. Per-worker state (e.g. a keep-alive connection per pool worker) belongs in worker_start()
// / worker_stop() and thread_local storage.
//
// Threads and processes: run_blocking may run on many threads at once and in forked children (a
// copy of the parent's workload object). It must therefore be thread-safe, and it must not rely on
// threads other than the caller existing (after fork only the forking thread survives).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <corio/task.hpp>

#include "common/json.hpp"

namespace corio_models {

class workload {
 public:
  virtual ~workload() = default;

  // Short name, e.g. "sleep", "cpu".
  virtual std::string name() const = 0;
  // Adds the workload's parameters to a result line (e.g. "sleep_ms": 1000).
  virtual void describe(corio_bench::json_line&) const {}
  // One task's duration when it runs alone and nothing waits for a CPU, if the workload knows it
  // (sleep: its duration); NaN otherwise. Used for the ideal time ceil(N/C)*L.
  virtual double nominal_task_s() const { return NAN; }
  // File descriptors one running task holds (fetch: its socket), so that the run's budget and the
  // walls it reports include RLIMIT_NOFILE.
  virtual unsigned fds_per_task() const { return 0; }

  // In the parent, before the run is measured (build URL lists, check a server is up...).
  virtual void prepare(std::size_t /*n*/) {}
  // In every OS thread or process that runs tasks (pool workers once; per-task threads and
  // processes once per task), before its first task and after its last.
  virtual void worker_start() {}
  virtual void worker_stop() {}

  virtual std::uint64_t run_blocking(std::size_t i) = 0;
  virtual corio::task<std::uint64_t> run_async(std::size_t i) = 0;

  // Whether `value` is the right result of task i (a wrong result counts as a failure).
  virtual bool valid_result(std::size_t /*i*/, std::uint64_t /*value*/) const { return true; }
};

// The workloads of this library, by name: "sleep" (pure IO wait) and "cpu" (computation).
//   sleep: sleep_ms (double, default 1000): every task sleeps that long and returns its index.
//   cpu:   iterations (default 100,000,000): every task runs that many steps of a 64-bit
//          multiply-xorshift chain seeded by its index and returns the final value.
struct workload_params {
  double sleep_ms = 1000;
  std::uint64_t iterations = 100'000'000;
};

std::unique_ptr<workload> make_workload(const std::string& name, const workload_params& p);
std::vector<std::string> workload_names();

// The cpu workload's computation, exposed for tests and demos: `iterations` dependent steps of a
// 64-bit multiply-xorshift chain starting from `seed`. The compiler cannot remove or shortcut it:
// every step depends on the previous one and the result is returned and checked.
std::uint64_t cpu_chain(std::uint64_t seed, std::uint64_t iterations) noexcept;

}  // namespace corio_models
