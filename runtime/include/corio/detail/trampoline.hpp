// corio/detail/trampoline.hpp - how one coroutine hands control to another.
//
// C++20 symmetric transfer (await_suspend returning the next coroutine_handle) only avoids stack
// growth when the compiler turns the resume into a tail call. Clang guarantees it; GCC 12 does not
// at -O0 (and sanitizers can defeat it), so a 1,000,000-deep chain of awaits would overflow the
// stack in a debug build. corio therefore transfers through a trampoline: an awaiter stores the
// coroutine to run next in a thread-local slot and returns std::noop_coroutine(), which returns to
// the resume loop below; the loop then resumes the stored coroutine. Stack depth stays constant at
// every optimisation level, for the price of a thread-local store and load per transfer.
//
// Rule: every corio coroutine is resumed through detail::resume(), never with handle.resume().
#pragma once

#include <coroutine>

namespace corio::detail {

struct trampoline {
  static inline thread_local std::coroutine_handle<> next{};
};

// Makes `h` the next coroutine to run on this thread and suspends the current one.
inline std::coroutine_handle<> transfer_to(std::coroutine_handle<> h) noexcept {
  trampoline::next = h;
  return std::noop_coroutine();
}

// Runs `h` and every coroutine it transfers to, until one suspends without naming a successor.
inline void resume(std::coroutine_handle<> h) {
  do {
    trampoline::next = nullptr;
    h.resume();
    h = trampoline::next;
  } while (h);
}

}  // namespace corio::detail
