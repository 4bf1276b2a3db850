// corio/time.hpp - sleeping: sleep_for, sleep_until, and the runtime's clock.
//
// What it does: suspends the calling task until a deadline. Timers live in the runtime's
// user-space timer heap (detail/timer_heap.hpp); a sleeping task costs its frame plus a 16-byte heap
// entry, and no kernel resources. A task never wakes before its deadline; it wakes after it by the
// time the loop takes to notice (see docs/results.md, `corio-bench timers`, for lateness figures).
//
// Which thread resumes you: the runtime's thread.
// Cancellation: if the task is cancelled while sleeping (or was already cancelled), the sleep ends
// at once by throwing corio::error with errc::operation_aborted.
// A deadline already in the past completes without suspending.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>

#include <corio/detail/scheduler.hpp>
#include <corio/error.hpp>

namespace corio {

// corio's clock is std::chrono::steady_clock (CLOCK_MONOTONIC), or the runtime's paused clock.
using clock = std::chrono::steady_clock;

// The current time of the running runtime's clock (steady_clock, or its paused clock).
// Outside a runtime: steady_clock::now().
inline clock::time_point now() noexcept {
  if (auto* s = detail::scheduler::current()) return clock::time_point{std::chrono::nanoseconds{s->now_ns()}};
  return clock::now();
}

namespace detail {

inline std::int64_t to_ns(clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// now + d in steady-clock nanoseconds, saturating at the int64 limits instead of overflowing
// (sleep_for(hours::max()) means "forever", not undefined behaviour).
template <class Rep, class Period>
std::int64_t deadline_after(std::chrono::duration<Rep, Period> d) noexcept {
  using namespace std::chrono;
  using D = duration<Rep, Period>;
  const std::int64_t base = to_ns(now());
  if (d >= duration_cast<D>(nanoseconds::max())) return INT64_MAX;
  if (d <= duration_cast<D>(nanoseconds::min())) return base;
  const std::int64_t ns = duration_cast<nanoseconds>(d).count();
  if (ns > 0 && ns > INT64_MAX - base) return INT64_MAX;
  return base + ns;
}

class sleep_awaiter final : timer_node, cancel_registration {
 public:
  explicit sleep_awaiter(std::int64_t deadline_ns) noexcept : cancel_registration(&cancelled) {
    deadline = deadline_ns;
    fire = &fired;
  }
  // Movable before it is awaited (e.g. into corio::timeout), never while suspended.
  sleep_awaiter(sleep_awaiter&& o) noexcept : sleep_awaiter(o.deadline) {}
  sleep_awaiter& operator=(const sleep_awaiter&) = delete;
  ~sleep_awaiter() {
    if (queued()) scheduler::current()->remove_timer(*this);
  }

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    scheduler& s = scheduler::current_or_throw();
    if (!arm(slot_of(h))) {
      aborted_ = true;
      return false;
    }
    if (deadline <= s.now_ns()) {
      disarm();
      return false;
    }
    waiter_ = h;
    s.add_timer(*this);
    return true;
  }
  void await_resume() const {
    if (aborted_) throw_error(errc::operation_aborted, "sleep");
  }

 private:
  static void fired(timer_node* n) noexcept {
    auto* self = static_cast<sleep_awaiter*>(n);
    self->disarm();
    scheduler::current()->schedule(self->waiter_);
  }
  static void cancelled(cancel_handler* c) noexcept {
    auto* self = static_cast<sleep_awaiter*>(c);
    scheduler* s = scheduler::current();
    s->remove_timer(*self);
    self->aborted_ = true;
    s->schedule(self->waiter_);
  }

  // No scheduler pointer: timers fire, are cancelled and are destroyed on the runtime's thread,
  // while it is current. Every byte counts here: a runtime may hold a million sleeping tasks.
  std::coroutine_handle<> waiter_;
  bool aborted_ = false;
};

}  // namespace detail

// Suspends until `deadline` (a time of corio::now()'s clock).
[[nodiscard]] inline detail::sleep_awaiter sleep_until(clock::time_point deadline) noexcept {
  return detail::sleep_awaiter{detail::to_ns(deadline)};
}

// Suspends for `d` from now. A zero or negative duration completes without suspending.
template <class Rep, class Period>
[[nodiscard]] detail::sleep_awaiter sleep_for(std::chrono::duration<Rep, Period> d) noexcept {
  return detail::sleep_awaiter{detail::deadline_after(d)};
}

}  // namespace corio
