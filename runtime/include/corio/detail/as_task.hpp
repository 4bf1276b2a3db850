// corio/detail/as_task.hpp - any awaitable as a task: what lets spawn, task_group::spawn,
// when_all, when_any, timeout and shield take a sleep, an IO operation or a join_handle as readily
// as a task.
//
// to_task(t) passes a task through unchanged; any other awaitable (an object with
// await_ready/await_suspend/await_resume, or with operator co_await) is moved into the frame of a
// small wrapper task that awaits it and returns its result. The wrapper costs one frame; a task
// costs nothing extra. The awaitable is awaited later, when the wrapper runs, so it must be
// movable before it is awaited (corio's awaitables are) and whatever it borrows (a buffer, a
// socket) must outlive the wrapper.
#pragma once

#include <type_traits>
#include <utility>
#include <vector>

#include <corio/task.hpp>

namespace corio::detail {

template <class A>
auto as_task(A a) -> task<decltype(std::declval<A&>().await_resume())> {
  co_return co_await std::move(a);
}

template <class T>
struct is_task : std::false_type {};
template <class T>
struct is_task<task<T>> : std::true_type {};

template <class T>
task<T> to_task(task<T>&& t) noexcept {
  return std::move(t);
}
template <class A>
  requires(!is_task<std::remove_cvref_t<A>>::value)
auto to_task(A&& a) {
  if constexpr (requires { std::forward<A>(a).operator co_await(); }) {
    return as_task(std::forward<A>(a).operator co_await());
  } else {
    return as_task(std::forward<A>(a));
  }
}

// The task type to_task(A) gives.
template <class A>
using task_for = decltype(to_task(std::declval<A>()));

// A vector of awaitables as a vector of tasks (the range forms of when_all and when_any).
template <class A>
std::vector<task_for<A>> to_tasks(std::vector<A>& as) {
  std::vector<task_for<A>> ts;
  ts.reserve(as.size());
  for (A& a : as) ts.push_back(to_task(std::move(a)));
  return ts;
}

}  // namespace corio::detail
