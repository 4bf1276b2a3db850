// corio/when_all.hpp - run tasks concurrently and wait for all of them.
//
// What it does: `co_await when_all(a(), b(), sleep_for(1s))` starts the tasks (or any awaitables)
// together and returns a tuple
// of their results once all have finished (void results are std::monostate). The range form takes
// a std::vector<task<T>> and returns std::vector<T> (or nothing for task<void>), in input order.
// Failure: the first child to throw cancels the others; when all have finished, that exception is
// rethrown. Nothing is left running when when_all returns or throws.
// Which thread resumes you: the runtime's thread.
// Cancellation: cancelling the awaiting task cancels every child; when_all then throws
// errc::operation_aborted (or a child's own failure, if one failed first).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include <corio/detail/fanout.hpp>
#include <corio/task.hpp>

namespace corio {

namespace detail {
template <class... Ts, std::size_t... I>
task<std::tuple<result_t<Ts>...>> when_all_impl(std::index_sequence<I...>, task<Ts>... ts) {
  std::tuple<std::optional<result_t<Ts>>...> results;
  fanout_state st;
  std::array<task<void>, sizeof...(Ts)> children{
      fanout_child<Ts>(std::move(ts), std::get<I>(results), st, I)...};
  st.children = children;
  co_await fanout_awaiter{st};
  if (st.first_error) std::rethrow_exception(st.first_error);
  co_return std::tuple<result_t<Ts>...>{std::move(*std::get<I>(results))...};
}
}  // namespace detail

// Each argument is a task or any other awaitable (a sleep, an IO operation, a join_handle), which
// runs inside a small task of its own (detail/as_task.hpp).
template <class... As>
[[nodiscard]] auto when_all(As&&... as) {
  return detail::when_all_impl(std::index_sequence_for<As...>{}, detail::to_task(std::forward<As>(as))...);
}

template <class T>
[[nodiscard]] auto when_all(std::vector<task<T>> ts)
    -> task<std::conditional_t<std::is_void_v<T>, void, std::vector<detail::result_t<T>>>> {
  detail::range_fanout<T> f(ts, false);
  co_await detail::fanout_awaiter{f.st};
  if (f.st.first_error) std::rethrow_exception(f.st.first_error);
  if constexpr (!std::is_void_v<T>) {
    std::vector<T> out;
    out.reserve(f.results.size());
    for (auto& r : f.results) out.push_back(std::move(*r));
    co_return out;
  }
}

// The range form over any other awaitable type (sleeps, IO operations, join_handles): each runs
// inside a small task of its own.
template <class A>
  requires(!detail::is_task<A>::value)
[[nodiscard]] auto when_all(std::vector<A> as) {
  return when_all(detail::to_tasks(as));
}

}  // namespace corio
