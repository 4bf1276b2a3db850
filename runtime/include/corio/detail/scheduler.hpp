// corio/detail/scheduler.hpp - the single-threaded scheduler behind corio::runtime.
//
// One scheduler runs on one thread (the thread that created it). It owns:
//   - the ready queue: coroutines to resume, FIFO;
//   - the timer heap (detail/timer_heap.hpp);
//   - one IO backend (io_uring or Asio, src/io/backend.hpp), seen only through that contract;
//   - the live list of spawned tasks, so that destruction can tear them down;
//   - the remote queue: completions posted from other threads (spawn_blocking), with a wake-up.
//
// Loop turn (scheduler::run):
//   1. resume up to `event_interval` ready coroutines (FIFO; bounded so that IO is polled fairly);
//   2. fire expired timers (their coroutines become ready);
//   3. move remote completions to the ready queue;
//   4. if anything is ready: poll the backend without blocking (submit + reap);
//      otherwise: wait in the backend until a completion, a wake-up or the nearest timer deadline.
// On io_uring, step 4 is one io_uring_enter under load (submit and reap together).
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <atomic>
#include <string>

#include <corio/detail/intrusive_list.hpp>
#include <corio/detail/promise_base.hpp>
#include <corio/detail/ring.hpp>
#include <corio/detail/timer_heap.hpp>

namespace corio {

// Which IO backend a runtime uses.
enum class backend_kind : std::uint8_t {
  automatic,  // io_uring when the kernel allows it, else Asio (the reason is recorded)
  io_uring,   // liburing; fails with errc::backend_unavailable if io_uring cannot be set up
  asio,       // standalone Asio (epoll on Linux)
};
const char* to_string(backend_kind k) noexcept;

struct runtime_options {
  // Backend choice. With `automatic`, the environment variable CORIO_BACKEND (io_uring, asio or
  // automatic) may force one; an explicit choice here ignores the environment.
  backend_kind backend = backend_kind::automatic;
  // io_uring submission queue size (rounded up to a power of two by the kernel).
  unsigned sq_entries = 4096;
  // io_uring completion queue size; 0 means 16 x sq_entries. Completions beyond it are not lost:
  // the kernel keeps them (IORING_FEAT_NODROP) and corio reaps them on the next turn.
  unsigned cq_entries = 0;
  // io_uring setup flags: try SINGLE_ISSUER + DEFER_TASKRUN (falls back when the kernel refuses).
  bool uring_defer_taskrun = true;
  // Ready coroutines resumed per loop turn before IO is polled again.
  unsigned event_interval = 128;
  // Paused clock: time stands still while tasks run and jumps to the next timer when the runtime
  // has nothing else to do (deterministic timer tests). Real IO still completes in real time.
  bool paused_clock = false;
  // Threads used by spawn_blocking (created on demand).
  unsigned max_blocking_threads = 64;
  // Called with the exception of a detached task that failed (not for cancellation). Default:
  // one line on stderr.
  std::function<void(std::exception_ptr)> on_detached_exception;
};

struct runtime_stats {
  std::uint64_t tasks_spawned = 0;
  std::uint64_t tasks_live = 0;         // spawned and not yet finished
  std::uint64_t loop_turns = 0;
  std::uint64_t backend_waits = 0;      // turns that blocked in the backend
  std::uint64_t io_submitted = 0;
  std::uint64_t io_completed = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t detached_failures = 0;  // detached tasks that ended with an exception
};

namespace detail {

class io_backend;
struct io_op;
class blocking_pool;

// An IO object (fd_handle) registers itself so that, if it outlives its runtime, the runtime's
// destructor closes it while the backend still exists (orphan), instead of leaving it to call into
// a destroyed backend later.
struct io_object_link : list_hook {
  void (*orphan)(io_object_link*) noexcept = nullptr;
};

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

  std::int64_t now_ns() const noexcept {
    if (paused_) return virtual_now_;
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void add_timer(timer_node& n) { timers_.push(n); }
  void remove_timer(timer_node& n) noexcept {
    if (n.queued()) timers_.erase(n);
  }

  // Takes ownership of a task frame and queues it to run. `owner` is a join_handle or group_state.
  void spawn(promise_base& p, std::coroutine_handle<> h, owner_kind kind, void* owner);
  // Hands a suspended frame (a block_on root that could not finish) to the runtime, which destroys
  // it at shutdown or when it finishes.
  void adopt(promise_base& p, std::coroutine_handle<> h) noexcept;
  // Spawned-task bookkeeping (spawn.cpp).
  void on_spawned_finished(promise_base& p) noexcept;
  void report_detached_failure(std::exception_ptr e) noexcept;
  void link_group(list_hook& group_hook) noexcept { groups_.push_back(group_hook); }
  void register_io_object(io_object_link& l) noexcept { io_objects_.push_back(l); }
  // A task whose group is going away: it goes on running, detached.
  void adopt_detached(promise_base& p) noexcept { live_.push_back(p.hook_); }

  // Runs the loop until `root` is done. Throws errc::deadlock when root waits and nothing is left
  // that could wake it, and rethrows fatal backend errors.
  void run(std::coroutine_handle<> root);

  io_backend& backend() noexcept { return *backend_; }
  backend_kind kind() const noexcept { return kind_; }
  const std::string& backend_reason() const noexcept { return reason_; }
  bool paused_clock() const noexcept { return paused_; }
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
  const runtime_options& options() const noexcept { return opts_; }

  // Completion of an IO operation, called by the backend on the scheduler's thread.
  void complete(io_op& op) noexcept;

  // Makes this scheduler current on this thread for the guard's lifetime.
  class current_guard {
   public:
    explicit current_guard(scheduler* s) noexcept : prev_(t_current_) { t_current_ = s; }
    ~current_guard() { t_current_ = prev_; }
    current_guard(const current_guard&) = delete;
    current_guard& operator=(const current_guard&) = delete;

   private:
    scheduler* prev_;
  };

 private:
  void run_ready();
  void fire_timers();
  bool drain_remote();
  void shutdown() noexcept;
  void destroy_spawned(promise_base& p) noexcept;

  static inline thread_local scheduler* t_current_ = nullptr;

  runtime_options opts_;
  ring<std::coroutine_handle<>> ready_;
  timer_heap timers_;
  std::unique_ptr<io_backend> backend_;
  backend_kind kind_ = backend_kind::automatic;
  std::string reason_;
  hook_list live_;    // spawned tasks that have not finished (join_handle or detached)
  hook_list groups_;  // task_group states bound to this scheduler
  hook_list io_objects_;  // open IO objects (io_object_link)
  bool paused_ = false;
  bool shutting_down_ = false;
  std::int64_t virtual_now_ = 0;
  std::size_t external_refs_ = 0;
  scheduler* prev_current_ = nullptr;

  // Treiber stack: producers on any thread push with compare_exchange (release), the loop takes
  // the whole stack with exchange (acquire) and reverses it, so items complete in posting order.
  std::atomic<remote_item*> remote_head_{nullptr};
  std::unique_ptr<blocking_pool> blocking_;

  runtime_stats stats_;
};

}  // namespace detail
}  // namespace corio
