// stream_socket: reading and writing a connected stream (corio/net/stream_socket.hpp).
//
// Each operation is a loop of backend requests (recv / send). The coroutine reaches the stream only
// through fd_op::owner() after each await: the stream may have been moved (owner re-pointed) or
// closed (owner null) while the request was pending.
#include <corio/net/stream_socket.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "net/sockaddr.hpp"

namespace corio::net {

using detail::fd_handle;
using detail::fd_op;
using detail::op_code;

namespace {
std::string progress(std::size_t done, std::size_t total) {
  return " (after " + std::to_string(done) + " of " + std::to_string(total) + " bytes)";
}
}  // namespace

task<std::size_t> stream_socket::read_some(void* data, std::size_t size, deadline d) {
  fd_op op(h_, op_code::recv, d);
  op.op().buf = data;
  op.op().len = static_cast<std::uint32_t>(std::min(size, detail::max_io_chunk));
  if (size == 0) co_return 0;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "read");
  co_return static_cast<std::size_t>(r);
}

task<void> stream_socket::read_exact(void* data, std::size_t size, deadline d) {
  auto* p = static_cast<std::byte*>(data);
  std::size_t done = 0;
  fd_handle* h = &h_;
  while (done < size) {
    fd_op op(*h, op_code::recv, d);
    op.op().buf = p + done;
    op.op().len = static_cast<std::uint32_t>(std::min(size - done, detail::max_io_chunk));
    const std::int32_t r = co_await op;
    if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "read_exact", progress(done, size));
    if (r == 0) {
      std::string ctx = "read_exact";
      std::string t = op.owner()->describe();
      if (!t.empty()) ctx += " " + t;
      ctx += ": got " + std::to_string(done) + " of " + std::to_string(size) + " bytes";
      throw incomplete_read(ctx, done, size);
    }
    done += static_cast<std::size_t>(r);
    h = op.owner();
  }
}

task<std::size_t> stream_socket::write_some(const void* data, std::size_t size, deadline d) {
  fd_op op(h_, op_code::send, d);
  op.op().buf = const_cast<void*>(data);
  op.op().len = static_cast<std::uint32_t>(std::min(size, detail::max_io_chunk));
  if (size == 0) co_return 0;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "write");
  co_return static_cast<std::size_t>(r);
}

task<void> stream_socket::write_all(const void* data, std::size_t size, deadline d) {
  const auto* p = static_cast<const std::byte*>(data);
  std::size_t done = 0;
  fd_handle* h = &h_;
  while (done < size) {
    fd_op op(*h, op_code::send, d);
    op.op().buf = const_cast<std::byte*>(p + done);
    op.op().len = static_cast<std::uint32_t>(std::min(size - done, detail::max_io_chunk));
    const std::int32_t r = co_await op;
    if (r <= 0 || op.closed())
      detail::throw_op_error(op, r < 0 ? r : (op.closed() ? -ECANCELED : -EPIPE), "write", progress(done, size));
    done += static_cast<std::size_t>(r);
    h = op.owner();
  }
}

void stream_socket::shutdown(shutdown_how how) {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "shutdown", {});
  if (::shutdown(h_.fd(), static_cast<int>(how)) < 0) detail::throw_errno_on(errno, "shutdown", h_.describe());
}

}  // namespace corio::net
