// corio/io/deadline.hpp - corio::deadline: an optional point in time by which an IO operation must
// finish. Every operation of corio/net and corio/fs takes one as its last argument.
//
// What it does: `s.read_some(buf, 2s)` or `s.read_some(buf, corio::now() + 2s)` gives the read
// until then; a default-constructed deadline means "no deadline". A duration is turned into an
// absolute time when the deadline is constructed, i.e. when the call is made. A composed operation
// (read_exact, write_all, connect, resolve, read_file) applies the one deadline to all of its steps.
// On io_uring the kernel enforces it (a linked timeout per operation); on Asio the runtime's timer
// heap does. When it passes, the operation throws corio::error with errc::timed_out.
// Which thread resumes you: not applicable (a value type).
// Cancellation: independent; cancelling the task still aborts the operation with
// errc::operation_aborted. corio::timeout() around an operation works too (it cancels it).
// Lifetime: a plain value.
#pragma once

#include <chrono>
#include <cstdint>

#include <corio/time.hpp>

namespace corio {

class deadline {
 public:
  // No deadline.
  constexpr deadline() noexcept = default;
  // An absolute time of corio::now()'s clock. A time in the past expires at once.
  deadline(clock::time_point t) noexcept : ns_(detail::to_ns(t)) {  // NOLINT: implicit on purpose
    if (ns_ <= 0) ns_ = 1;
  }
  // `d` from now (saturating; zero or negative expires at once).
  template <class Rep, class Period>
  deadline(std::chrono::duration<Rep, Period> d) noexcept : ns_(detail::deadline_after(d)) {  // NOLINT: implicit
    if (ns_ <= 0) ns_ = 1;
  }

  static constexpr deadline none() noexcept { return {}; }
  constexpr bool is_set() const noexcept { return ns_ != 0; }
  // Absolute steady-clock nanoseconds (io_op::deadline_ns); 0 = none.
  constexpr std::int64_t ns() const noexcept { return ns_; }
  // The earlier of two deadlines (an unset one never wins).
  friend deadline earliest(deadline a, deadline b) noexcept {
    if (!a.is_set()) return b;
    if (!b.is_set()) return a;
    return a.ns_ < b.ns_ ? a : b;
  }

 private:
  std::int64_t ns_ = 0;
};

}  // namespace corio
