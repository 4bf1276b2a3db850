// corio/blocking.hpp - spawn_blocking: run blocking or CPU-heavy work off the loop thread.
//
// What it does: `co_await spawn_blocking(fn)` runs fn() on the runtime's blocking thread pool
// (threads are created on demand, up to runtime_options::max_blocking_threads) and resumes the
// caller with fn's value, or rethrows its exception. The loop keeps running other tasks meanwhile.
// Which thread resumes you: the runtime's thread (fn itself runs on a pool thread).
// Cancellation: none. Once started, fn runs to completion and the caller waits for it (fn may use
// the caller's data). A job still queued when the runtime is destroyed never runs; the runtime's
// destructor waits for jobs already running.
#pragma once

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include <corio/detail/fanout.hpp>
#include <corio/detail/scheduler.hpp>

namespace corio {

namespace detail {

struct blocking_job : remote_item {
  void (*run)(blocking_job*) noexcept = nullptr;  // called on a pool thread
  blocking_job* next_job = nullptr;
};

// Queues `job` on s's pool (blocking_pool.cpp). Throws if no thread can be started and none idle.
void submit_blocking(scheduler& s, blocking_job* job);

template <class F>
class blocking_awaiter final : blocking_job {
  using R = std::invoke_result_t<F&>;

 public:
  explicit blocking_awaiter(F f) : fn_(std::move(f)) {
    run = &run_job;
    complete = &job_done;
  }
  blocking_awaiter(blocking_awaiter&& o) : blocking_awaiter(std::move(o.fn_)) {}  // before being awaited only
  blocking_awaiter(const blocking_awaiter&) = delete;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    sched_ = &scheduler::current_or_throw();
    waiter_ = h;
    submit_blocking(*sched_, this);
  }
  R await_resume() {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    if constexpr (!std::is_void_v<R>) return std::move(std::get<1>(result_));
  }

 private:
  static void run_job(blocking_job* j) noexcept {
    auto* self = static_cast<blocking_awaiter*>(j);
    try {
      if constexpr (std::is_void_v<R>) {
        self->fn_();
        self->result_.template emplace<1>();
      } else {
        self->result_.template emplace<1>(self->fn_());
      }
    } catch (...) {
      self->result_.template emplace<2>(std::current_exception());
    }
  }
  static void job_done(remote_item* r) noexcept {
    auto* self = static_cast<blocking_awaiter*>(static_cast<blocking_job*>(r));
    self->sched_->release_external_ref();
    self->sched_->schedule(self->waiter_);
  }

  F fn_;
  std::variant<std::monostate, result_t<R>, std::exception_ptr> result_;
  scheduler* sched_ = nullptr;
  std::coroutine_handle<> waiter_;
};

}  // namespace detail

template <class F>
[[nodiscard]] auto spawn_blocking(F&& f) {
  return detail::blocking_awaiter<std::decay_t<F>>{std::forward<F>(f)};
}

}  // namespace corio
