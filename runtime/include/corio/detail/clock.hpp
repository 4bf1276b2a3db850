// corio/detail/clock.hpp - a runtime's clock: the steady clock, or a paused clock for
// deterministic timer tests (runtime_options::paused_clock).
//
// A paused clock stands still while tasks run; the scheduler moves it to the next timer's deadline
// when it has nothing else to do. The scheduler owns the clock; the IO driver reads it (deadlines).
#pragma once

#include <chrono>
#include <cstdint>

namespace corio::detail {

struct runtime_clock {
  bool paused = false;
  std::int64_t virtual_now = 0;  // paused time, steady-clock nanoseconds

  static std::int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t now_ns() const noexcept { return paused ? virtual_now : steady_ns(); }
};

}  // namespace corio::detail
