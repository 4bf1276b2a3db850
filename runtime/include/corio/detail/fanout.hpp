// corio/detail/fanout.hpp - the machinery shared by when_all and when_any.
//
// Each child task runs inside a small wrapper coroutine (fanout_child) that owns its own
// cancellation slot, catches the child's exception and reports to the shared fanout_state. The
// awaiting coroutine is suspended in fanout_awaiter until every wrapper has finished: combinators
// never return while a child still runs (structured concurrency), so children may borrow from the
// caller's frame. Cancelling the awaiting task cancels every child.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include <corio/detail/as_task.hpp>
#include <corio/detail/scheduler.hpp>
#include <corio/task.hpp>

namespace corio::detail {

// void results are represented as std::monostate so that tuples, variants and vectors can hold them.
template <class T>
using result_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

struct fanout_state {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t remaining = 0;
  std::coroutine_handle<> parent;
  std::exception_ptr first_error;   // when_all: the first failure
  std::exception_ptr winner_error;  // when_any: the winner's exception, if it failed
  std::size_t winner = npos;        // when_any: index of the first child to finish
  bool any_mode = false;
  std::span<task<void>> children;

  void cancel_all() noexcept {
    for (auto& c : children) c.handle().promise().own_cancel_.request();
  }
  void child_done(std::size_t idx, std::exception_ptr e) noexcept {
    if (any_mode) {
      if (winner == npos) {
        winner = idx;
        winner_error = std::move(e);
        cancel_all();
      }
    } else if (e && !first_error) {
      first_error = std::move(e);
      cancel_all();
    }
    if (--remaining == 0) scheduler::current()->schedule(parent);
  }
};

template <class T>
task<void> fanout_child(task<T> t, std::optional<result_t<T>>& out, fanout_state& st, std::size_t idx) {
  std::exception_ptr e;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(t);
      out.emplace();
    } else {
      out.emplace(co_await std::move(t));
    }
  } catch (...) {
    e = std::current_exception();
  }
  st.child_done(idx, std::move(e));
}

// The children of a range combinator: a wrapper per task, its result slot and the shared state.
// Lives in the combinator's frame; never moves once built (children point into it).
template <class T>
struct range_fanout {
  std::vector<std::optional<result_t<T>>> results;
  std::vector<task<void>> children;
  fanout_state st;

  range_fanout(std::vector<task<T>>& ts, bool any_mode) : results(ts.size()) {
    st.any_mode = any_mode;
    children.reserve(ts.size());
    for (std::size_t i = 0; i < ts.size(); ++i)
      children.push_back(fanout_child<T>(std::move(ts[i]), results[i], st, i));
    st.children = children;
  }
  range_fanout(const range_fanout&) = delete;
  range_fanout& operator=(const range_fanout&) = delete;
};

class fanout_awaiter final : cancel_registration {
 public:
  explicit fanout_awaiter(fanout_state& st) noexcept : cancel_registration(&cancelled), st_(st) {}
  fanout_awaiter(const fanout_awaiter&) = delete;
  bool await_ready() const noexcept { return st_.children.empty(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    scheduler& s = scheduler::current_or_throw();
    st_.parent = h;
    st_.remaining = st_.children.size();
    for (auto& c : st_.children) s.schedule(c.handle());
    // Cancelled already: the children start cancelled, and are waited for all the same.
    if (!arm(slot_of(h))) st_.cancel_all();
    return true;
  }
  void await_resume() noexcept { disarm(); }

 private:
  static void cancelled(cancel_handler* self) noexcept { static_cast<fanout_awaiter*>(self)->st_.cancel_all(); }
  fanout_state& st_;
};

}  // namespace corio::detail
