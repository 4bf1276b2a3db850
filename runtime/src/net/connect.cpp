// The connect algorithm (net/connect.hpp).
//
// Why not IORING_OP_CONNECT: io_uring issues connect non-blocking, gets EINPROGRESS, arms a poll,
// and retries connect from task work when the socket turns writable; on loopback that round trip
// costs several microseconds per connection more than a non-blocking connect(2) on the loop thread,
// whose handshake is already complete when it returns (measured by `corio-bench connect`, see
// docs/api-net.md). The same code serves the Asio backend, whose own connect op does the same.
#include "net/connect.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "net/sockaddr.hpp"

namespace corio::detail {

namespace {
int so_error(int fd) noexcept {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}
}  // namespace

task<void> connect_socket(fd_handle& h, const sockaddr_storage& addr, socklen_t len, std::string target, deadline d) {
  const int fd = h.fd();
  if (d.is_set() && d.ns() <= detail::to_ns(corio::now()))
    throw error(make_error_code(errc::timed_out), "connect " + target);
  int r;
  do {
    r = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len);
  } while (r < 0 && errno == EINTR);
  if (r == 0) co_return;
  // EAGAIN is not "in progress": no local port (TCP) or a full backlog (Unix); nothing is pending.
  if (errno != EINPROGRESS) throw_errno_on(errno, "connect", target);
  // In progress. Loopback (and Unix sockets with room in the backlog) usually finish during the
  // call: check without waiting first.
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, 0) == 1) {
    if (!(p.revents & (POLLERR | POLLHUP))) co_return;
    const int err = so_error(fd);
    if (err == 0) co_return;
    throw_errno_on(err, "connect", target);
  }
  fd_op op(h, op_code::poll, d);
  op.op().flags = POLLOUT;
  const std::int32_t pr = co_await op;
  if (pr < 0 || op.closed()) throw_op_error(op, pr < 0 ? pr : -ECANCELED, "connect");
  const int err = so_error(fd);
  if (err != 0) throw_errno_on(err, "connect", target);
}

}  // namespace corio::detail
