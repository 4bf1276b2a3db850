// corio/sync/event.hpp - corio::event: a one-shot (resettable) signal between tasks.
//
// What it does: `co_await ev.wait()` suspends until ev.set() is called (or returns at once if it
// is set). set() wakes every waiter; the event stays set until reset().
// Which thread resumes you: the runtime's thread. An event belongs to one runtime and is not
// thread-safe (signal from another thread through spawn_blocking's result instead).
// Cancellation: a cancelled waiter leaves the queue and its wait throws operation_aborted.
#pragma once

#include <coroutine>

#include <corio/detail/wait_queue.hpp>
#include <corio/error.hpp>

namespace corio {

class event {
 public:
  event() = default;
  explicit event(bool set) noexcept : set_(set) {}
  event(const event&) = delete;
  event& operator=(const event&) = delete;

  bool is_set() const noexcept { return set_; }
  void set() noexcept {
    set_ = true;
    waiters_.wake_all();
  }
  void reset() noexcept { set_ = false; }

  class awaiter {
   public:
    explicit awaiter(event& e) noexcept : e_(e) {}
    bool await_ready() const noexcept { return e_.set_; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
      return e_.waiters_.enqueue(node_, h);
    }
    void await_resume() const {
      if (node_.aborted) throw_error(errc::operation_aborted, "event::wait");
    }

   private:
    event& e_;
    detail::wait_node node_;
  };
  [[nodiscard]] awaiter wait() noexcept { return awaiter{*this}; }

 private:
  bool set_ = false;
  detail::wait_queue waiters_;
};

}  // namespace corio
