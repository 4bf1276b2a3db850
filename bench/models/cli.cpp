// Shared command-line options (cli.hpp).
#include "models/cli.hpp"

#include <stdexcept>

namespace corio_models {

run_options parse_run_options(const corio_bench::args& a) {
  run_options o;
  o.n = static_cast<std::size_t>(a.get_long("n", 100));
  o.workers = static_cast<unsigned>(a.get_long("workers", 0));
  o.time_budget_s = a.get_double("time-budget", 0);
  if (o.time_budget_s < 0) throw std::invalid_argument("--time-budget: must be >= 0");
  o.memory_budget = a.get_long("memory-budget", 0) << 20;
  o.margin.mem_floor = a.get_long("mem-floor", 4096) << 20;
  o.margin.pids = static_cast<long>(a.get_long("pid-margin", o.margin.pids));
  o.max_alive = static_cast<long>(a.get_long("max-alive", 0));
  o.thread_stack = static_cast<std::size_t>(a.get_long("thread-stack", 0)) << 10;
  if (o.thread_stack && o.thread_stack < 16384) throw std::invalid_argument("--thread-stack: at least 16 KiB");
  o.sample_interval_s = a.get_double("sample-ms", 50) / 1000.0;
  if (!(o.sample_interval_s > 0)) throw std::invalid_argument("--sample-ms: must be > 0");
  o.progress = a.has("progress");
  return o;
}

workload_params parse_workload_params(const corio_bench::args& a) {
  workload_params p;
  p.sleep_ms = a.get_double("sleep-ms", p.sleep_ms);
  p.iterations = static_cast<std::uint64_t>(a.get_long("iterations", static_cast<long long>(p.iterations)));
  return p;
}

}  // namespace corio_models
