// bench/models/measure.hpp - the one measurement path for every model.
//
// start() takes the baseline (resource usage of this process and of its reaped children, memory
// of this process and of the kernel) and starts a sampler thread; stop() ends it and returns the
// run's figures. The same code measures every model. See docs/benchmarking.md for the method:
//
//   memory = this process's PSS  (proportional set size: its private pages + its share of pages
//                                 shared with others, e.g. copy-on-write pages after fork; touched
//                                 thread-stack pages are ordinary pages of this process)
//          + live children's PSS (every child when there are at most `child_sample` of them, else
//                                 a uniform random sample scaled to the live count)
//          + kernel memory of this process and of its children: page tables (VmPTE) and one
//                                 16 KiB kernel stack per thread
//   minus the same before the run. The kernel's slab objects per task (task_struct, mm_struct,
//   VMAs...) cannot be attributed to a process; the growth of the machine-wide counters
//   KernelStack + PageTables + SUnreclaim is reported beside (kernel_machine_peak), noisy.
//   Sampled every `interval_s` (stretched to 20x the time one sample takes, so that sampling
//   stays under ~5% of a core and rarely holds the mmap lock that fork and mmap need), and on
//   demand (poke(): every model pokes once all its tasks have started).
//   CPU      = getrusage(SELF) + getrusage(CHILDREN) deltas, minus the sampler thread's own usage
//              (RUSAGE_THREAD); children count once reaped, and every model reaps its children.
//   context switches: the same sums, voluntary and involuntary.
//
// The sampler also enforces the memory budget and the MemAvailable floor, and stops the run when
// the machine's free pids fall under half the pid margin (someone else is using them): it calls
// run_control::request_stop(budget, ...).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "models/run_control.hpp"

namespace corio_models {

struct metrics {
  double wall_s = 0;
  double user_s = 0, sys_s = 0;                    // this process (minus sampler) + children
  double children_user_s = 0, children_sys_s = 0;  // the children's part of the above
  double sampler_cpu_s = 0;                        // the sampler's own CPU, excluded above
  long vcsw = 0, ivcsw = 0;                        // voluntary / involuntary context switches
  long long mem_peak = 0;            // bytes added by the run at its peak (see the header)
  long long mem_self_at_peak = 0;    // ... of which this process's PSS growth
  long long mem_children_at_peak = 0;  // ... live children's PSS
  long long mem_kernel_at_peak = 0;    // ... page tables + kernel stacks (self and children)
  long long mem_self_base = 0;       // this process's PSS before the run
  long long self_hwm_kb = -1;        // VmHWM of this process during the run (RSS, cross-check)
  long long children_maxrss_kb = 0;  // largest RSS of any reaped child (RUSAGE_CHILDREN)
  long long sys_used_peak = 0;       // peak growth of MemTotal - MemAvailable (machine-wide)
  long long kernel_machine_peak = 0; // peak growth of KernelStack + PageTables + SUnreclaim (machine-wide)
  long samples = 0;
  long threads_peak = 0;             // threads of this process
  long children_peak = 0;            // live children
  long children_sampled = 0;         // children whose PSS was read at the peak sample
  long in_flight_at_peak = 0;        // tasks started and not finished, at the peak sample
  long in_flight_peak = 0;           // ... the most seen by any sample
};

// A counter in memory shared with forked children, increased after every completed sample. A
// task can wait for it to move to make sure a sample has seen its memory (used by tests).
std::uint64_t sample_epoch() noexcept;

class measurement {
 public:
  struct options {
    double interval_s = 0.05;
    long long memory_budget = 0;   // bytes added by the run; 0: none
    long long mem_floor = 0;       // MemAvailable floor, bytes; 0: none
    long pid_floor = 0;            // stop when fewer pids than this are free on the machine; 0: none
    std::size_t child_sample = 32;
    bool progress = false;         // a live progress line on stderr
    const char* label = "";
  };

  measurement(run_control& ctl, options o);
  ~measurement();
  measurement(const measurement&) = delete;
  measurement& operator=(const measurement&) = delete;

  // Takes the baseline, starts the sampler; returns the run's start time (mono_ns()).
  std::int64_t start();
  // Asks for a sample now (returns at once).
  void poke();
  // Ends the run at `end_ns` (mono_ns() when the model returned) and returns its figures.
  metrics stop(std::int64_t end_ns);

 private:
  struct sample;
  void take_baseline();
  void loop();
  sample take();
  void account(const sample& s);
  void print_progress(bool final);

  run_control& ctl_;
  options o_;
  std::thread th_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, poked_ = false, baseline_taken_ = false, started_ = false;
  std::int64_t t0_ = 0, last_progress_ = 0;
  long long kernel_base_ = 0, sys_used_base_ = 0, self_kernel_base_ = 0;
  metrics m_;
  long long last_total_ = 0;
  // usage before the run
  double u0_ = 0, s0_ = 0, cu0_ = 0, cs0_ = 0;
  long v0_ = 0, iv0_ = 0, cv0_ = 0, civ0_ = 0;
  // the sampler thread's own usage, written by it before it exits
  double thr_u_ = 0, thr_s_ = 0;
  long thr_v_ = 0, thr_iv_ = 0;
};

}  // namespace corio_models
