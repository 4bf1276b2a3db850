// bench/httpkit/socket_io.hpp - private to blocking_client.cpp: blocking socket IO with deadlines
// (poll() on non-blocking sockets). Errors are thrown as corio::error: corio::http::errc::timeout
// when the deadline passes, errc::connection_reset for ECONNRESET / EPIPE, errc::resolve_failed for
// getaddrinfo failures, errno otherwise.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <corio/http/url.hpp>

namespace corio_httpkit::detail {

using clock = std::chrono::steady_clock;

// An owned socket file descriptor.
class socket_fd {
 public:
  socket_fd() = default;
  explicit socket_fd(int fd) noexcept : fd_(fd) {}
  socket_fd(socket_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  socket_fd& operator=(socket_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~socket_fd() { reset(); }
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// Resolves u.host() and connects to u.port(), trying each address, each attempt until
// `connect_deadline`. The socket is non-blocking, close-on-exec, TCP_NODELAY.
socket_fd connect_to(const corio::http::url& u, clock::time_point connect_deadline);

// Sends all of `data` before `deadline`.
void send_all(const socket_fd& s, std::string_view data, clock::time_point deadline);

// Receives up to `len` bytes; returns 0 at end of stream. With `wait_first`, polls before the first
// recv (the caller expects no data yet); otherwise tries recv first.
std::size_t recv_some(const socket_fd& s, char* buf, std::size_t len, clock::time_point deadline, bool wait_first);

}  // namespace corio_httpkit::detail
