// corio/sync/semaphore.hpp - corio::semaphore: a counting semaphore (e.g. a concurrency limit).
//
// What it does: `co_await sem.acquire()` takes one permit, waiting while none is free;
// sem.release() returns one. Fair: permits are handed to waiters in arrival order, and a task that
// arrives while others wait queues behind them (no barging). `auto p = co_await sem.permit();`
// returns an RAII permit that releases on destruction.
// Which thread resumes you: the runtime's thread. Belongs to one runtime; not thread-safe.
// Cancellation: a cancelled waiter leaves the queue without a permit and throws operation_aborted.
// A permit handed to a waiter before it was cancelled is kept (acquire succeeds).
#pragma once

#include <coroutine>
#include <cstddef>
#include <utility>

#include <corio/detail/wait_queue.hpp>
#include <corio/error.hpp>

namespace corio {

class semaphore {
 public:
  explicit semaphore(std::size_t permits) noexcept : count_(permits) {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  std::size_t available() const noexcept { return count_; }
  bool try_acquire() noexcept {
    if (count_ == 0 || !waiters_.empty()) return false;
    --count_;
    return true;
  }
  void release(std::size_t n = 1) noexcept {
    while (n > 0 && waiters_.wake_one()) --n;  // hand permits straight to waiters
    count_ += n;
  }

  class acquire_awaiter {
   public:
    explicit acquire_awaiter(semaphore& s) noexcept : s_(s) {}
    bool await_ready() noexcept { return s_.try_acquire(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) noexcept {
      return s_.waiters_.enqueue(node_, h);
    }
    void await_resume() const {
      if (node_.aborted) throw_error(errc::operation_aborted, "semaphore::acquire");
    }

   protected:
    semaphore& s_;
    detail::wait_node node_;
  };

  // Releases its permit on destruction (unless moved from).
  class permit_guard {
   public:
    permit_guard() noexcept = default;
    explicit permit_guard(semaphore& s) noexcept : s_(&s) {}
    permit_guard(permit_guard&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    permit_guard& operator=(permit_guard&& o) noexcept {
      if (this != &o) {
        reset();
        s_ = std::exchange(o.s_, nullptr);
      }
      return *this;
    }
    ~permit_guard() { reset(); }
    void reset() noexcept {
      if (s_) std::exchange(s_, nullptr)->release();
    }
    explicit operator bool() const noexcept { return s_ != nullptr; }

   private:
    semaphore* s_ = nullptr;
  };

  class permit_awaiter : public acquire_awaiter {
   public:
    using acquire_awaiter::acquire_awaiter;
    permit_guard await_resume() const {
      acquire_awaiter::await_resume();
      return permit_guard{s_};
    }
  };

  [[nodiscard]] acquire_awaiter acquire() noexcept { return acquire_awaiter{*this}; }
  [[nodiscard]] permit_awaiter permit() noexcept { return permit_awaiter{*this}; }

 private:
  std::size_t count_;
  detail::wait_queue waiters_;
};

}  // namespace corio
