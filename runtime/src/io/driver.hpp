// io/driver.hpp - the IO driver: a runtime's IO layer between its IO objects and its backend.
//
// One driver per runtime, owned by the scheduler and current on the runtime's thread while the
// runtime is (scheduler::current_guard). It owns the backend and keeps, for it:
//   - starting and abandoning operations (start_io / abandon_io of corio/io/detail/op.hpp): the
//     already-cancelled and deadline-passed checks, the cancel registration, the deadline timer of
//     backends without native deadlines (in the runtime's timer queue), then backend.submit;
//   - the completed list: what the backend handed back from poll() and wait(); the scheduler takes
//     it with pop_completed(), which finishes each op (timer disarmed, cancel registration
//     removed) and yields the coroutine to resume. Nothing here resumes or schedules a coroutine;
//   - the open IO objects (fd_handle registers itself), closed at teardown if they outlive it.
// Everything here runs on the runtime's thread.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <corio/detail/clock.hpp>
#include <corio/detail/intrusive_list.hpp>
#include <corio/detail/timer_heap.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/io/detail/op.hpp>
#include <corio/runtime.hpp>

#include "io/backend.hpp"

namespace corio::detail {

class io_driver {
 public:
  io_driver(std::unique_ptr<io_backend> backend, timer_heap& timers, const runtime_clock& clock,
            runtime_stats& stats) noexcept;
  ~io_driver();
  io_driver(const io_driver&) = delete;
  io_driver& operator=(const io_driver&) = delete;

  // The driver of the runtime current on this thread, if any.
  static io_driver* current() noexcept;
  static io_driver& current_or_throw();
  static void set_current(io_driver* d) noexcept;

  io_backend& backend() noexcept { return *backend_; }
  std::int64_t now_ns() const noexcept { return clock_.now_ns(); }

  bool start(io_op& op, std::coroutine_handle<> h, cancel_slot* slot);
  void abandon(io_op& op) noexcept;

  // Submit and reap without blocking / block until something completes, wake() or deadline_ns.
  void poll() { backend_->poll(completed_); }
  void wait(std::int64_t deadline_ns) { backend_->wait(deadline_ns, completed_); }
  std::size_t in_flight() const noexcept { return backend_->in_flight(); }
  bool has_completed() const noexcept { return !completed_.empty(); }
  // The waiter of the next completed op, finished (nullptr when none is left). An abandoned op's
  // waiter is std::noop_coroutine().
  std::coroutine_handle<> pop_completed() noexcept;

  // Teardown: cancels and completes everything in flight (the waiters are not resumed), then
  // closes the IO objects that outlive the runtime.
  void drain() noexcept;
  void close_orphans() noexcept;

  void register_object(io_object_link& l) noexcept { objects_.push_back(l); }

 private:
  void finish(io_op& op) noexcept;

  std::unique_ptr<io_backend> backend_;
  timer_heap& timers_;
  const runtime_clock& clock_;
  runtime_stats& stats_;
  op_queue completed_;
  hook_list objects_;  // open IO objects (io_object_link)
};

}  // namespace corio::detail
