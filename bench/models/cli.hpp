// bench/models/cli.hpp - the command-line options every program that runs models shares.
//
//   corio_bench::args a(argc, argv, {CORIO_MODELS_RUN_OPTIONS, "model", ...}, {CORIO_MODELS_RUN_FLAGS});
//   corio_models::run_options o = corio_models::parse_run_options(a);
//   corio_models::workload_params wp = corio_models::parse_workload_params(a);
//
// Options (all optional):
//   --n N                  tasks (default 100)
//   --sleep-ms MS          sleep workload: duration of each task (default 1000)
//   --iterations K         cpu workload: steps per task (default 100000000)
//   --workers W            pool size for thread-pool / process-pool / coroutine-offload
//   --time-budget S        stop starting tasks after S seconds (default: none)
//   --memory-budget MIB    stop starting tasks once the run added MIB MiB (default: none)
//   --mem-floor MIB        never let MemAvailable fall under MIB MiB (default 4096)
//   --pid-margin K         leave K pids free on the machine (default 4096)
//   --max-alive K          at most K live threads/processes (per-task models; default: no cap
//                          besides the margins)
//   --thread-stack KIB     stack size of per-task and pool threads (default: RLIMIT_STACK)
//   --sample-ms MS         memory sampling interval (default 50)
//   --progress             live progress line on stderr
#pragma once

#include <string>

#include "common/args.hpp"
#include "models/model.hpp"
#include "models/workload.hpp"

#define CORIO_MODELS_RUN_OPTIONS                                                                         \
  "n", "sleep-ms", "iterations", "workers", "time-budget", "memory-budget", "mem-floor", "pid-margin", \
      "max-alive", "thread-stack", "sample-ms"
#define CORIO_MODELS_RUN_FLAGS "progress"

namespace corio_models {

run_options parse_run_options(const corio_bench::args& a);
workload_params parse_workload_params(const corio_bench::args& a);

}  // namespace corio_models
