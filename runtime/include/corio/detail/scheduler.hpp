// corio/detail/scheduler.hpp - the single-threaded scheduler behind corio::runtime.
//
// One scheduler runs on one thread (the thread that created it). It owns:
//   - the ready queue: coroutines to resume, FIFO;
//   - the timer queue (detail/timer_heap.hpp) and the runtime's clock (real, or paused);
//   - the IO driver (src/io/driver.hpp), which owns the backend; the scheduler sees IO only as
//     "completed operations to resume" and "how long may I block";
//   - the live list of spawned tasks and the task groups bound to it, so that destruction can
//     tear them down (the group side of teardown is spawn.cpp's);
//   - the remote queue: completions posted from other threads (spawn_blocking), with a wake-up.
//
// Loop turn (scheduler::run):
//   1. resume up to `event_interval` ready coroutines (FIFO; bounded so that IO is polled fairly);
//   2. fire expired timers (their coroutines become ready);
//   3. move remote completions to the ready queue;
//   4. if anything is ready: poll IO without blocking (submit + reap);
//      otherwise: wait in the backend until a completion, a wake-up or the nearest timer deadline;
//      either way, the coroutines of the operations that completed become ready.
// On io_uring, step 4 is one io_uring_enter under load (submit and reap together).
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include <corio/detail/clock.hpp>
#include <corio/detail/intrusive_list.hpp>
#include <corio/detail/promise_base.hpp>
#include <corio/detail/ring.hpp>
#include <corio/detail/timer_heap.hpp>
#include <corio/runtime.hpp>

namespace corio::detail {

class io_driver;
class blocking_pool;

// Work finished on another thread, to be completed on the scheduler's thread.
struct remote_item {
  remote_item* next = nullptr;
  void (*complete)(remote_item*) noexcept = nullptr;
};

class scheduler {
 public:
  explicit scheduler(runtime_options opts);
  ~scheduler();
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  // The scheduler of the runtime that is running on (or was created on) this thread.
  static scheduler* current() noexcept { return t_current_; }
  static scheduler& current_or_throw();

  void schedule(std::coroutine_handle<> h) { ready_.push_back(h); }

  std::int64_t now_ns() const noexcept { return clock_.now_ns(); }
  void add_timer(timer_node& n) { timers_.push(n); }
  void remove_timer(timer_node& n) noexcept {
    if (n.queued()) timers_.erase(n);
  }
  timer_heap& timers() noexcept { return timers_; }

  // Takes ownership of a task frame and queues it to run. `owner` is a join_handle or group_state.
  void spawn(promise_base& p, std::coroutine_handle<> h, owner_kind kind, void* owner);
  // Hands a suspended frame (a block_on root that could not finish) to the runtime, which destroys
  // it at shutdown or when it finishes.
  void adopt(promise_base& p, std::coroutine_handle<> h) noexcept;
  // Spawned-task bookkeeping (spawn.cpp).
  void on_spawned_finished() noexcept { --stats_.tasks_live; }
  void report_detached_failure(std::exception_ptr e) noexcept;
  void link_group(list_hook& group_hook) noexcept { groups_.push_back(group_hook); }
  // A task whose group is going away: it goes on running, detached.
  void adopt_detached(promise_base& p) noexcept { live_.push_back(p.hook_); }
  // Destroys a spawned frame that has not finished (teardown), emptying its join_handle.
  void destroy_spawned(promise_base& p) noexcept;

  // Runs the loop until `root` is done. Throws errc::deadlock when root waits and nothing is left
  // that could wake it, and rethrows fatal backend errors.
  void run(std::coroutine_handle<> root);

  io_driver& io() noexcept { return *io_; }
  backend_kind kind() const noexcept { return kind_; }
  const std::string& backend_reason() const noexcept { return reason_; }
  bool paused_clock() const noexcept { return clock_.paused; }
  bool shutting_down() const noexcept { return shutting_down_; }

  // Thread-safe: queue `item` for completion on this scheduler's thread and wake it.
  void post_remote(remote_item* item) noexcept;
  // Outstanding work that can wake the loop from outside (a running blocking job, ...). The loop
  // never reports a deadlock while such references exist.
  void add_external_ref() noexcept { ++external_refs_; }
  void release_external_ref() noexcept { --external_refs_; }
  blocking_pool& blocking();

  runtime_stats& stats() noexcept { return stats_; }
  const runtime_stats& stats() const noexcept { return stats_; }

  // Makes this scheduler (and its IO driver) current on this thread for the guard's lifetime.
  class current_guard {
   public:
    explicit current_guard(scheduler* s) noexcept;
    ~current_guard();
    current_guard(const current_guard&) = delete;
    current_guard& operator=(const current_guard&) = delete;

   private:
    scheduler* prev_;
  };

 private:
  void run_ready();
  void fire_timers();
  bool drain_remote();
  void resume_completed();
  void shutdown() noexcept;

  static inline thread_local scheduler* t_current_ = nullptr;

  runtime_options opts_;
  ring<std::coroutine_handle<>> ready_;
  timer_heap timers_;
  std::unique_ptr<io_driver> io_;
  backend_kind kind_ = backend_kind::automatic;
  std::string reason_;
  hook_list live_;    // spawned tasks that have not finished (join_handle or detached)
  hook_list groups_;  // task_group states bound to this scheduler (group_state::hook)
  runtime_clock clock_;
  bool shutting_down_ = false;
  std::size_t external_refs_ = 0;

  // Treiber stack: producers on any thread push with compare_exchange (release), the loop takes
  // the whole stack with exchange (acquire) and reverses it, so items complete in posting order.
  std::atomic<remote_item*> remote_head_{nullptr};
  std::unique_ptr<blocking_pool> blocking_;

  runtime_stats stats_;
};

// Teardown of the task groups still bound to a scheduler (spawn.cpp): destroys their children.
// Returns true if it destroyed any (their destructors may have spawned or freed more).
bool destroy_group_children(hook_list& groups, scheduler& s) noexcept;
// Unbinds every group from its dying scheduler (spawn.cpp).
void unbind_groups(hook_list& groups) noexcept;

}  // namespace corio::detail
