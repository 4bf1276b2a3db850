// bench/models/run_control.hpp - what a model and the measurement share during one run.
//
//   - task_record: one per task, written by whoever ran the task (a thread of this process, or the
//     parent on behalf of a child process, from the child's report on the result pipe).
//   - run_control: progress counters, the stop request (budgets and limits), and the registry of
//     live child processes that the memory sampler measures.
//
// Stop requests: the first one wins and is kept (its kind and text end up in the result line).
// Models ask should_stop() before starting each task; once it is true they start nothing more,
// wait for what they started, and return. They never abandon a started thread or child.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace corio_models {

// CLOCK_MONOTONIC in nanoseconds (the same clock in every process of the machine).
std::int64_t mono_ns() noexcept;

enum class task_state : std::uint8_t { not_run = 0, ok = 1, failed = 2 };

struct task_record {
  std::int64_t start_ns = 0;  // CLOCK_MONOTONIC when the task's own code began
  std::int64_t end_ns = 0;    // ... and when it finished (or failed)
  std::uint64_t value = 0;    // the task's result
  std::int32_t pid = 0;       // process and thread that ran it
  std::int32_t tid = 0;
  task_state state = task_state::not_run;
  std::uint8_t runs = 0;      // times a result arrived for this task (1 unless a model misbehaves)
};

enum class stop_kind : std::uint8_t {
  none = 0,
  budget,  // a budget of the run: time, memory, the pid/map/fd margins
  limit,   // the system refused: pthread_create/fork/... failed (EAGAIN, ENOMEM, ...)
  error,   // the model could not run at all (e.g. the requested backend is unavailable)
};
const char* to_string(stop_kind k) noexcept;

class run_control {
 public:
  run_control() = default;
  run_control(const run_control&) = delete;
  run_control& operator=(const run_control&) = delete;

  // ---- stopping ----
  // Records the first stop request; later ones are ignored. `what` names the cause, e.g.
  // "budget: time 30 s" or "pthread_create: Resource temporarily unavailable (EAGAIN)".
  void request_stop(stop_kind k, std::string what, int err = 0);
  bool stop_requested() const noexcept { return kind_.load(std::memory_order_acquire) != 0; }
  // stop_requested(), or the time budget has run out (which then becomes the stop request).
  bool should_stop();
  stop_kind stopped_by() const noexcept { return static_cast<stop_kind>(kind_.load(std::memory_order_acquire)); }
  std::string stop_text() const;
  int stop_errno() const;

  void set_deadline(std::int64_t deadline_ns, double budget_s) noexcept {
    deadline_ns_ = deadline_ns;
    time_budget_s_ = budget_s;
  }
  // Concurrently live threads or processes a model may create (0: no cap), and the text naming
  // the budget, e.g. "pid margin: pid_max 32768 - 120 in use - margin 4096".
  void set_spawn_budget(long max_alive, std::string why) {
    max_alive_ = max_alive;
    spawn_budget_text_ = std::move(why);
  }
  long max_alive() const noexcept { return max_alive_; }
  // Call before creating a thread/process when `alive` are running: false (and a budget stop)
  // when the cap is reached.
  bool may_spawn(long alive);

  // ---- progress ----
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> done{0};
  std::atomic<std::size_t> failed{0};

  // ---- live children (process models) ----
  void add_child(pid_t pid);
  void remove_child(pid_t pid);
  std::size_t child_count() const;
  // Up to `k` distinct live children chosen uniformly at random.
  std::vector<pid_t> sample_children(std::size_t k);
  // Orders fork() with the child registry, so that a child reaped at once is never added after
  // its removal: the forking thread holds it across fork + add_child, the reaping thread takes it
  // (after waitpid returned, never across a blocking wait) for remove_child.
  std::mutex& fork_mutex() noexcept { return fork_mu_; }

 private:
  std::atomic<int> kind_{0};
  mutable std::mutex mu_;
  std::string what_;
  int err_ = 0;
  std::int64_t deadline_ns_ = 0;
  double time_budget_s_ = 0;
  long max_alive_ = 0;
  std::string spawn_budget_text_;

  mutable std::mutex children_mu_;
  std::vector<pid_t> children_;
  std::unordered_map<pid_t, std::size_t> child_pos_;
  std::mt19937_64 rng_{12345};
  std::mutex fork_mu_;
};

}  // namespace corio_models
