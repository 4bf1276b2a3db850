// corio/io/async_fd.hpp - corio::async_fd: wait until a descriptor that another library owns is
// readable or writable (tokio's AsyncFd, Asio's posix::stream_descriptor::async_wait).
//
// What it does:
//   corio::async_fd w(fd);                        // fd stays the caller's (or the library's)
//   corio::readiness r = co_await w.readable();   // then read it the library's way until EAGAIN
//   co_await w.writable(2s);                      // with a deadline
//   co_await w.wait(POLLIN | POLLOUT);            // either
// The wait completes when poll(2) would report the requested events, or an error / hang-up
// (readiness::error(), hangup(): POLLERR and POLLHUP are always reported). A wait is one shot and
// level-triggered: if the descriptor is still ready when you wait again, the wait completes at
// once, so the usual loop is "wait, then do IO until the library says EAGAIN, then wait again".
// async_fd never reads, writes or closes the descriptor. On io_uring a wait is an IORING_OP_POLL_ADD;
// on Asio the descriptor is registered with the reactor (epoll) while the async_fd exists, so one
// descriptor may have only one async_fd at a time there (a second registration fails with EEXIST).
// Errors (corio::error): a descriptor that is not open ("watch fd 42: Bad file descriptor"; "wait
// fd 42: Bad file descriptor" when it was closed while being waited on, POLLNVAL), a second
// registration on Asio (EEXIST), the deadline (errc::timed_out), cancellation
// (errc::operation_aborted). A regular file is always ready, as poll(2) says.
// Which thread resumes you: the runtime's thread. An async_fd belongs to the runtime it was
// created in; create, use and destroy it on that thread.
// Cancellation: a cancelled or timed-out wait consumes nothing; the async_fd stays usable.
// Lifetime: destroy (or reset()) the async_fd before the owner closes the descriptor: a wait in
// flight on a closed and reused descriptor number would watch the wrong file. Destroying it while
// waits are pending ends them with errc::operation_aborted.
#pragma once

#include <poll.h>

#include <cstdint>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>

namespace corio {

// What a wait found: poll(2)'s revents.
struct readiness {
  short revents = 0;
  bool readable() const noexcept { return (revents & (POLLIN | POLLPRI)) != 0; }
  bool writable() const noexcept { return (revents & POLLOUT) != 0; }
  bool error() const noexcept { return (revents & POLLERR) != 0; }
  bool hangup() const noexcept { return (revents & (POLLHUP | POLLRDHUP)) != 0; }
};

namespace detail {
// One readiness wait on a foreign descriptor.
class readiness_op final : public fd_op {
 public:
  readiness_op(fd_handle& h, short events, deadline d) noexcept : fd_op(h, op_code::poll, d) {
    op().flags = static_cast<unsigned>(static_cast<unsigned short>(events));
  }
  readiness await_resume();  // io/async_fd.cpp
};
}  // namespace detail

class async_fd {
 public:
  async_fd() noexcept = default;
  // Starts watching `fd` (which must be open) in the current runtime. Throws corio::error
  // (errc::not_in_runtime outside a runtime; EBADF; the reactor's refusal on Asio).
  explicit async_fd(int fd);
  async_fd(async_fd&&) noexcept = default;
  async_fd& operator=(async_fd&&) noexcept = default;
  ~async_fd() = default;  // stops watching; the descriptor stays open

  [[nodiscard]] detail::readiness_op readable(deadline d = {}) noexcept { return {h_, POLLIN, d}; }
  [[nodiscard]] detail::readiness_op writable(deadline d = {}) noexcept { return {h_, POLLOUT, d}; }
  // `events`: POLLIN, POLLOUT, POLLPRI, POLLRDHUP, or several.
  [[nodiscard]] detail::readiness_op wait(short events, deadline d = {}) noexcept { return {h_, events, d}; }

  bool is_watching() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }
  // Stops watching and returns the descriptor (-1 if none); pending waits end with
  // errc::operation_aborted.
  int release() noexcept { return h_.release(); }
  void reset() noexcept { h_.close(); }

 private:
  detail::fd_handle h_;
};

}  // namespace corio
