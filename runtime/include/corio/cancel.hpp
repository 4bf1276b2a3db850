// corio/cancel.hpp - deadlines and cancellation scopes: timeout, timeout_at, shield, this_task.
//
// timeout(d, t): runs task t with a deadline d from now. If t finishes first, its value is
// returned (or its exception rethrown). If the deadline passes first, t is cancelled (its current
// cancellable operation completes with operation_aborted) and, once t has finished, timeout throws
// corio::error with errc::timed_out. If t swallows the cancellation and returns a value, that value
// is returned. No frame is allocated: the deadline is a timer node inside the awaiter.
// Which thread resumes you: the runtime's thread.
// Cancellation: cancelling the awaiting task cancels t; timeout then rethrows t's outcome
// (operation_aborted, normally), not timed_out.
// Awaitables that are not tasks (a sleep, an IO operation, a join_handle, ...) are wrapped in a
// task first (detail/as_task.hpp).
//
// shield(t): runs t immune to the cancellation of the awaiting task, e.g. to flush or say goodbye
// after being cancelled. t can still be given its own timeout.
//
// this_task::cancellation_requested(): whether the current task has been cancelled, for loops that
// do CPU work between cancellable operations.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <corio/detail/as_task.hpp>
#include <corio/detail/scheduler.hpp>
#include <corio/error.hpp>
#include <corio/task.hpp>
#include <corio/time.hpp>

namespace corio {

namespace detail {

template <class T>
class timeout_awaiter final : timer_node, cancel_registration {
 public:
  timeout_awaiter(task<T> t, std::int64_t deadline_ns) noexcept
      : cancel_registration(&parent_cancelled), inner_(std::move(t)) {  // scope_ default-initialised
    deadline = deadline_ns;
    fire = &fired;
  }
  // Movable before it is awaited (into shield, when_any, spawn), never while suspended.
  timeout_awaiter(timeout_awaiter&& o) noexcept : timeout_awaiter(std::move(o.inner_), o.deadline) {}
  timeout_awaiter(const timeout_awaiter&) = delete;
  ~timeout_awaiter() { disarm_all(); }

  bool await_ready() const noexcept { return !inner_.valid(); }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) {
    sched_ = &scheduler::current_or_throw();
    auto ih = inner_.handle();
    auto& ip = ih.promise();
    ip.continuation_ = h;
    ip.cancel_ = &scope_;
    if (!arm(slot_of(h))) scope_.requested = true;  // the awaiting task is cancelled already
    if (deadline <= sched_->now_ns()) {
      expired_ = true;
      scope_.requested = true;
    } else {
      sched_->add_timer(*this);
    }
    return transfer_to(ih);
  }
  T await_resume() {
    disarm_all();
    if (!inner_.valid()) throw_error(errc::invalid_argument, "timeout: empty task");
    if (!expired_ || cancel_requested()) return inner_.handle().promise().take_result();
    try {
      return inner_.handle().promise().take_result();
    } catch (const std::system_error& e) {
      if (e.code() == errc::operation_aborted) throw_error(errc::timed_out, "timeout");
      throw;
    }
  }

 private:
  void disarm_all() noexcept {
    if (queued()) sched_->remove_timer(*this);
    disarm();
  }
  static void fired(timer_node* n) noexcept {
    auto* self = static_cast<timeout_awaiter*>(n);
    self->expired_ = true;
    self->scope_.request();
  }
  static void parent_cancelled(cancel_handler* c) noexcept { static_cast<timeout_awaiter*>(c)->scope_.request(); }

  cancel_slot scope_;  // before inner_: the inner frame's awaiters outlive nothing they observe
  task<T> inner_;
  scheduler* sched_ = nullptr;
  bool expired_ = false;
};

template <class T>
class shield_awaiter {
 public:
  explicit shield_awaiter(task<T> t) noexcept : inner_(std::move(t)) {}
  bool await_ready() const noexcept { return !inner_.valid(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) noexcept {
    auto ih = inner_.handle();
    ih.promise().continuation_ = h;
    ih.promise().cancel_ = &scope_;
    return transfer_to(ih);
  }
  T await_resume() {
    if (!inner_.valid()) throw_error(errc::invalid_argument, "shield: empty task");
    return inner_.handle().promise().take_result();
  }

 private:
  cancel_slot scope_;  // before inner_, as in timeout_awaiter
  task<T> inner_;
};

struct cancellation_query {
  cancel_slot* slot = nullptr;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    slot = slot_of(h);
    return false;
  }
  bool await_resume() const noexcept { return slot && slot->requested; }
};

}  // namespace detail

// Runs `a` (a task or any awaitable) with a deadline `d` from now; see the header comment.
template <class A, class Rep, class Period>
[[nodiscard]] auto timeout(std::chrono::duration<Rep, Period> d, A&& a) {
  auto t = detail::to_task(std::forward<A>(a));
  using T = typename decltype(t)::value_type;
  return detail::timeout_awaiter<T>{std::move(t), detail::deadline_after(d)};
}

// Like timeout(), with an absolute deadline of corio::now()'s clock.
template <class A>
[[nodiscard]] auto timeout_at(clock::time_point deadline, A&& a) {
  auto t = detail::to_task(std::forward<A>(a));
  using T = typename decltype(t)::value_type;
  return detail::timeout_awaiter<T>{std::move(t), detail::to_ns(deadline)};
}

// Runs `a` shielded from the awaiting task's cancellation; see the header comment.
template <class A>
[[nodiscard]] auto shield(A&& a) {
  auto t = detail::to_task(std::forward<A>(a));
  using T = typename decltype(t)::value_type;
  return detail::shield_awaiter<T>{std::move(t)};
}

namespace this_task {
// `co_await this_task::cancellation_requested()` is true once the current task is cancelled.
[[nodiscard]] inline detail::cancellation_query cancellation_requested() noexcept { return {}; }
}  // namespace this_task

}  // namespace corio
