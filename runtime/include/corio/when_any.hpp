// corio/when_any.hpp - run tasks concurrently, take the first to finish, cancel the rest.
//
// What it does: `co_await when_any(a(), b())` starts the tasks together. The first to finish wins;
// the others (the losers) are cancelled, and when_any returns once they have all finished, with
// the winner's index and value. If the winner failed, its exception is rethrown instead.
// The variadic form returns when_any_result<Ts...> (value is a std::variant indexed like the
// arguments); the range form returns when_any_result_of<T> {index, value}.
// Losers see errc::operation_aborted at their current (or next) cancellable operation; a loser that
// ignores cancellation delays when_any until it finishes. void results are std::monostate.
// Which thread resumes you: the runtime's thread.
// Cancellation: cancelling the awaiting task cancels every child; the first child to finish (an
// aborted one, normally) decides the outcome.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include <corio/detail/fanout.hpp>
#include <corio/error.hpp>
#include <corio/task.hpp>

namespace corio {

template <class... Ts>
struct when_any_result {
  std::size_t index;
  std::variant<detail::result_t<Ts>...> value;
};

template <class T>
struct when_any_result_of {
  std::size_t index;
  detail::result_t<T> value;
};

namespace detail {
template <class... Ts, std::size_t... I>
task<when_any_result<Ts...>> when_any_impl(std::index_sequence<I...>, task<Ts>... ts) {
  std::tuple<std::optional<result_t<Ts>>...> results;
  fanout_state st;
  st.any_mode = true;
  std::array<task<void>, sizeof...(Ts)> children{
      fanout_child<Ts>(std::move(ts), std::get<I>(results), st, I)...};
  st.children = children;
  co_await fanout_awaiter{st};
  if (st.winner_error) std::rethrow_exception(st.winner_error);
  std::optional<when_any_result<Ts...>> out;
  ((st.winner == I ? (void)out.emplace(when_any_result<Ts...>{
                         I, std::variant<result_t<Ts>...>{std::in_place_index<I>, std::move(*std::get<I>(results))}})
                   : (void)0),
   ...);
  co_return std::move(*out);
}
}  // namespace detail

// Each argument is a task or any other awaitable: `co_await when_any(sleep_for(1s), s.read_some(buf))`
// reads with a one-second limit, and the loser is cancelled (detail/as_task.hpp).
template <class... As>
[[nodiscard]] auto when_any(As&&... as) {
  static_assert(sizeof...(As) > 0, "when_any needs at least one task");
  return detail::when_any_impl(std::index_sequence_for<As...>{}, detail::to_task(std::forward<As>(as))...);
}

// Throws errc::invalid_argument for an empty vector.
template <class T>
[[nodiscard]] task<when_any_result_of<T>> when_any(std::vector<task<T>> ts) {
  if (ts.empty()) throw_error(errc::invalid_argument, "when_any: no tasks");
  detail::range_fanout<T> f(ts, true);
  co_await detail::fanout_awaiter{f.st};
  if (f.st.winner_error) std::rethrow_exception(f.st.winner_error);
  co_return when_any_result_of<T>{f.st.winner, std::move(*f.results[f.st.winner])};
}

// The range form over any other awaitable type (sleeps, IO operations, join_handles): each runs
// inside a small task of its own. Throws errc::invalid_argument for an empty vector.
template <class A>
  requires(!detail::is_task<A>::value)
[[nodiscard]] auto when_any(std::vector<A> as) {
  return when_any(detail::to_tasks(as));
}

}  // namespace corio
