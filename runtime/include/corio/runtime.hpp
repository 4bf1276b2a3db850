// corio/runtime.hpp - corio::runtime: one scheduler and one IO backend on one thread, and the
// types that configure and observe it (runtime_options, backend_kind, runtime_stats).
//
// What it does: `rt.block_on(t)` runs the event loop on the calling thread until task t finishes,
// and returns its value (or rethrows its exception). Tasks spawned meanwhile run concurrently; those
// still unfinished when block_on returns are suspended, and continue during the next block_on.
// `rt.spawn(t)` (needs <corio/spawn.hpp>, included by <corio/corio.hpp>) starts a task that runs
// during the next block_on.
//
// Threads: a runtime belongs to the thread that constructs it (io_uring rings are created with
// SINGLE_ISSUER). Use it, and every task and IO object of it, only from that thread; other threads
// talk to it through spawn_blocking's results (detail::scheduler::post_remote).
//
// Backend: chosen once, at construction (see runtime_options::backend). backend() says which runs,
// backend_reason() says why (e.g. "io_uring_setup failed: Operation not permitted; using asio").
//
// Destruction: destroys every task that has not finished. IO still in flight in the kernel is
// cancelled and its completion awaited first, so no buffer is written after its frame is freed;
// then suspended frames are destroyed (their destructors run, nothing is resumed). join_handles of
// destroyed tasks become empty.
//
// This header does not include the scheduler (detail/scheduler.hpp includes it, for these types):
// everything below that needs the scheduler is defined out of line.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <corio/error.hpp>
#include <corio/task.hpp>

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
class scheduler;
}
template <class T>
class join_handle;

class runtime {
 public:
  runtime() : runtime(runtime_options{}) {}
  explicit runtime(runtime_options opts);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  // Runs the loop until `t` finishes; returns its value or rethrows its exception. Throws
  // errc::deadlock if `t` waits for something that nothing can ever complete (no ready task, no
  // timer, no IO in flight, no blocking job). Must not be called from inside a task of any runtime.
  template <class T>
  T block_on(task<T> t) {
    if (!t.valid()) throw_error(errc::invalid_argument, "block_on: empty task");
    auto h = t.release();
    run_root(h.promise(), h);  // if this throws, the runtime has adopted the unfinished frame
    struct destroy_frame {
      decltype(h) f;
      ~destroy_frame() { f.destroy(); }
    } guard{h};
    return h.promise().take_result();
  }

  // Starts `a` (a task or any awaitable) on this runtime; it runs during block_on. Defined in
  // <corio/spawn.hpp>.
  template <class A>
  auto spawn(A&& a);

  backend_kind backend() const noexcept;
  const std::string& backend_reason() const noexcept;
  // A snapshot of the runtime's counters.
  runtime_stats stats() const noexcept;

  detail::scheduler& scheduler() noexcept { return *sched_; }

 private:
  void run_root(detail::promise_base& p, std::coroutine_handle<> h);
  std::unique_ptr<detail::scheduler> sched_;
};

}  // namespace corio
