// stream_socket: reading and writing a connected stream (corio/net/stream_socket.hpp).
//
// read_some / write_some are leaf awaitables defined in the header; the composed operations run
// the IO layer's one transfer loop (io/transfer.hpp); try_read_some / try_write_some are plain
// non-blocking syscalls.
#include <corio/net/stream_socket.hpp>

#include <sys/socket.h>

#include <unistd.h>

#include <cerrno>

#include "io/transfer.hpp"

namespace corio::net {

task<void> stream_socket::read_exact(void* data, std::size_t size, deadline d) {
  return detail::transfer_all(h_, data, size, {detail::op_code::recv, "read_exact"}, d);
}

task<void> stream_socket::write_all(const void* data, std::size_t size, deadline d) {
  return detail::transfer_all(h_, const_cast<void*>(data), size, {detail::op_code::send, "write"}, d);
}

std::optional<std::size_t> stream_socket::try_read_some(void* data, std::size_t size) {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "read", {});
  for (;;) {
    const ssize_t n = ::recv(h_.fd(), data, std::min(size, detail::max_io_chunk), MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
    detail::throw_errno_on(errno, "read", h_.describe());
  }
}

std::optional<std::size_t> stream_socket::try_write_some(const void* data, std::size_t size) {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "write", {});
  for (;;) {
    const ssize_t n = ::send(h_.fd(), data, std::min(size, detail::max_io_chunk), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
    detail::throw_errno_on(errno, "write", h_.describe());
  }
}

void stream_socket::shutdown(shutdown_how how) {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "shutdown", {});
  if (::shutdown(h_.fd(), static_cast<int>(how)) < 0) detail::throw_errno_on(errno, "shutdown", h_.describe());
}

}  // namespace corio::net

namespace corio::detail {

fd_handle accept_op_base::take() {
  const std::int32_t r = finish();
  if (r < 0) throw_op_error(*this, r, "accept");
  if (closed()) {  // accepted just as the listener closed: drop the connection
    ::close(r);
    throw_op_error(*this, -ECANCELED, "accept");
  }
  const fd_handle* listener = owner();
  std::string unix_path = listener->path;  // a Unix listener names its connections after itself
  fd_handle h(r, fd_handle::kind::socket);
  if (!unix_path.empty()) {
    h.path = "accepted on " + unix_path;
  } else {
    h.name = peer_;
    h.name_len = peer_len_;
  }
  return h;
}

}  // namespace corio::detail
