// corio/runtime.hpp - corio::runtime: one scheduler and one IO backend on one thread.
//
// What it does: `rt.block_on(t)` runs the event loop on the calling thread until task t finishes,
// and returns its value (or rethrows its exception). Tasks spawned meanwhile run concurrently; those
// still unfinished when block_on returns are suspended, and continue during the next block_on.
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
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <corio/detail/scheduler.hpp>
#include <corio/error.hpp>
#include <corio/spawn.hpp>
#include <corio/task.hpp>

namespace corio {

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

  // Starts `t` on this runtime; it runs during block_on.
  template <class T>
  join_handle<T> spawn(task<T> t) {
    detail::scheduler::current_guard g{sched_.get()};
    return corio::spawn(std::move(t));
  }

  backend_kind backend() const noexcept { return sched_->kind(); }
  const std::string& backend_reason() const noexcept { return sched_->backend_reason(); }
  const runtime_stats& stats() const noexcept { return std::as_const(*sched_).stats(); }

  detail::scheduler& scheduler() noexcept { return *sched_; }

 private:
  void run_root(detail::promise_base& p, std::coroutine_handle<> h);
  std::unique_ptr<detail::scheduler> sched_;
};

}  // namespace corio
