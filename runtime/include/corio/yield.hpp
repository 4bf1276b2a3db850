// corio/yield.hpp - corio::yield(): let the other ready tasks run.
//
// What it does: puts the calling task at the back of the runtime's ready queue and runs the tasks
// ahead of it (and, every event_interval tasks, polls IO). Not a cancellation point.
// Which thread resumes you: the runtime's thread.
#pragma once

#include <coroutine>

#include <corio/detail/scheduler.hpp>

namespace corio {

namespace detail {
struct yield_awaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { scheduler::current_or_throw().schedule(h); }
  void await_resume() const noexcept {}
};
}  // namespace detail

[[nodiscard]] inline detail::yield_awaiter yield() noexcept { return {}; }

}  // namespace corio
