// corio/task.hpp - corio::task<T>, the coroutine type of corio.
//
// What it does: a task is a lazy, move-only, single-owner coroutine. Calling a coroutine function
// that returns task<T> allocates its frame and runs nothing; `co_await t` starts it and suspends
// the awaiting coroutine until it finishes, then yields its value or rethrows its exception.
// Handing control between tasks goes through corio's trampoline (detail/trampoline.hpp), so chains
// of any depth run in constant stack space in debug and release builds alike.
//
// Which thread resumes you: the thread that runs the runtime (a task never changes threads).
// Cancellation: an awaited task shares the cancellation slot of the task that awaits it, so
// cancelling a spawned task cancels whatever leaf operation its chain is suspended in.
// Lifetime: destroying a task that was never started, or that has finished, frees its frame;
// a running task is owned by whoever awaits it (or by the runtime, once spawned).
#pragma once

#include <coroutine>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include <corio/detail/promise_base.hpp>
#include <corio/error.hpp>

namespace corio {

template <class T = void>
class task;

namespace detail {

struct final_awaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    auto& p = h.promise();
    if (CORIO_UNLIKELY(p.spawned())) return p.finish_spawned(h, p.exception_if_any());
    p.set_done();
    if (p.continuation_) return transfer_to(p.continuation_);
    return std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

template <class T>
class task_promise final : public promise_base {
 public:
  task<T> get_return_object() noexcept;
  final_awaiter final_suspend() noexcept { return {}; }

  template <class U>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    result_.template emplace<1>(std::forward<U>(v));
  }
  void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }

  const std::exception_ptr* exception_if_any() const noexcept { return std::get_if<2>(&result_); }

  T take_result() {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    if (result_.index() != 1) throw_error(errc::already_awaited, "task result");
    T v = std::move(std::get<1>(result_));
    result_.template emplace<0>();
    return v;
  }

 private:
  std::variant<std::monostate, T, std::exception_ptr> result_;
};

template <class T>
class task_promise<T&> final : public promise_base {
 public:
  task<T&> get_return_object() noexcept;
  final_awaiter final_suspend() noexcept { return {}; }
  void return_value(T& v) noexcept { value_ = std::addressof(v); }
  void unhandled_exception() noexcept { exc_ = std::current_exception(); }
  const std::exception_ptr* exception_if_any() const noexcept { return exc_ ? &exc_ : nullptr; }
  T& take_result() {
    if (exc_) std::rethrow_exception(exc_);
    if (!value_) throw_error(errc::already_awaited, "task result");
    return *std::exchange(value_, nullptr);
  }

 private:
  T* value_ = nullptr;
  std::exception_ptr exc_;
};

template <>
class task_promise<void> final : public promise_base {
 public:
  task<void> get_return_object() noexcept;
  final_awaiter final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void unhandled_exception() noexcept { exc_ = std::current_exception(); }
  const std::exception_ptr* exception_if_any() const noexcept { return exc_ ? &exc_ : nullptr; }
  void take_result() {
    if (exc_) std::rethrow_exception(std::exchange(exc_, nullptr));
  }

 private:
  std::exception_ptr exc_;
};

}  // namespace detail

template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;
  using value_type = T;

  task() noexcept = default;
  explicit task(handle_type h) noexcept : h_(h) {}
  task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() { reset(); }

  // True when the task holds a coroutine (it has not been moved from or released).
  bool valid() const noexcept { return static_cast<bool>(h_); }
  explicit operator bool() const noexcept { return valid(); }
  // True once the coroutine has run to completion.
  bool done() const noexcept { return h_ && h_.done(); }

  class awaiter {
   public:
    explicit awaiter(handle_type h) noexcept : h_(h) {}
    bool await_ready() const noexcept { return !h_ || h_.done(); }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
      auto& p = h_.promise();
      p.continuation_ = parent;
      if (detail::cancel_slot* s = detail::slot_of(parent)) p.cancel_ = s;
      return detail::transfer_to(h_);
    }
    T await_resume() {
      if (!h_) throw_error(errc::invalid_argument, "co_await on an empty task");
      return h_.promise().take_result();
    }

   private:
    handle_type h_;
  };

  // Starts the task and waits for it. Awaiting a task a second time throws errc::already_awaited.
  awaiter operator co_await() & noexcept { return awaiter{h_}; }
  awaiter operator co_await() && noexcept { return awaiter{h_}; }

  // Gives up ownership of the coroutine (used by spawn and the combinators).
  handle_type release() noexcept { return std::exchange(h_, {}); }
  handle_type handle() const noexcept { return h_; }

 private:
  void reset() noexcept {
    if (h_) std::exchange(h_, {}).destroy();
  }
  handle_type h_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>{std::coroutine_handle<task_promise>::from_promise(*this)};
}
template <class T>
task<T&> task_promise<T&>::get_return_object() noexcept {
  return task<T&>{std::coroutine_handle<task_promise>::from_promise(*this)};
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>{std::coroutine_handle<task_promise>::from_promise(*this)};
}
}  // namespace detail

}  // namespace corio
