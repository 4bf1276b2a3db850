// udp_socket (corio/net/udp_socket.hpp): datagrams through sendmsg / recvmsg requests.
#include <corio/net/udp_socket.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "net/sockaddr.hpp"

namespace corio::net {

using detail::fd_handle;
using detail::fd_op;
using detail::op_code;

udp_socket udp_socket::bind(const endpoint& ep) {
  const std::string target = ep.to_string();
  fd_handle h(detail::open_socket(ep.is_v6() ? AF_INET6 : AF_INET, SOCK_DGRAM, "bind", target),
              fd_handle::kind::socket);
  sockaddr_storage ss;
  socklen_t len = detail::to_sockaddr(ep, ss);
  if (::bind(h.fd(), reinterpret_cast<sockaddr*>(&ss), len) < 0) detail::throw_errno_on(errno, "bind", target);
  h.name_len = sizeof h.name;
  if (::getsockname(h.fd(), reinterpret_cast<sockaddr*>(&h.name), &h.name_len) < 0) h.name_len = 0;
  return udp_socket(std::move(h));
}

udp_socket udp_socket::bind(std::string_view ep) { return bind(endpoint::parse(ep)); }

udp_socket udp_socket::open(ip_family family) {
  fd_handle h(detail::open_socket(family == ip_family::v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, "socket", "udp"),
              fd_handle::kind::socket);
  return udp_socket(std::move(h));
}

task<std::size_t> udp_socket::send_to(const void* data, std::size_t size, const endpoint& to, deadline d) {
  sockaddr_storage dest;
  msghdr msg{};
  iovec iov{const_cast<void*>(data), size};
  msg.msg_name = &dest;
  msg.msg_namelen = detail::to_sockaddr(to, dest);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  fd_op op(h_, op_code::sendmsg, d);
  op.op().addr = &msg;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "send_to", " to " + to.to_string());
  co_return static_cast<std::size_t>(r);
}

task<datagram> udp_socket::receive_from(void* data, std::size_t size, deadline d) {
  sockaddr_storage from{};
  msghdr msg{};
  iovec iov{data, std::min(size, detail::max_io_chunk)};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  fd_op op(h_, op_code::recvmsg, d);
  op.op().addr = &msg;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "receive_from");
  datagram out;
  out.size = static_cast<std::size_t>(r);
  out.from = detail::from_sockaddr(from, msg.msg_namelen);
  out.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  co_return out;
}

endpoint udp_socket::local_endpoint() const {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "getsockname", {});
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(h_.fd(), reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    detail::throw_errno_on(errno, "getsockname", h_.describe());
  return detail::from_sockaddr(ss, len);
}

}  // namespace corio::net
